/**
 * Local wall-clock time in a tenant's IANA time zone, for time-window rules.
 *
 * `Intl.DateTimeFormat#formatToParts` costs microseconds, too much to pay on
 * every evaluation, so the result is cached per time zone for the current
 * UTC minute: every zone in use today is offset by whole minutes, so the
 * local weekday and minute-of-day cannot change within one UTC minute.
 */

export interface LocalTime {
  /** 0 = Monday … 6 = Sunday. */
  day: number;
  /** Minutes since local midnight, 0..1439. */
  minute: number;
}

const DAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

interface ZoneCache {
  format: Intl.DateTimeFormat;
  utcMinute: number;
  local: LocalTime;
}

/** Converts instants to local time in one or more zones, caching per zone. */
export class LocalClock {
  readonly #zones = new Map<string, ZoneCache>();

  /** Local time at `at` (ms since the epoch) in `timeZone` (validated at load). */
  at(at: number, timeZone: string): LocalTime {
    const utcMinute = Math.floor(at / 60_000);
    let zone = this.#zones.get(timeZone);
    if (zone === undefined) {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
      zone = { format, utcMinute: NaN, local: { day: 0, minute: 0 } };
      this.#zones.set(timeZone, zone);
    }
    if (zone.utcMinute !== utcMinute) {
      let day = 0;
      let hour = 0;
      let minute = 0;
      for (const part of zone.format.formatToParts(at)) {
        if (part.type === 'weekday') day = DAYS[part.value];
        else if (part.type === 'hour') hour = Number(part.value);
        else if (part.type === 'minute') minute = Number(part.value);
      }
      zone.local = { day, minute: hour * 60 + minute };
      zone.utcMinute = utcMinute;
    }
    return zone.local;
  }
}

/** Parses "HH:MM" into minutes since midnight ("24:00" = 1440). */
export function parseClock(text: string): number {
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

/** True when `minute` lies in [start, end), wrapping past midnight when end <= start. */
export function inWindow(minute: number, start: number, end: number): boolean {
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}
