/**
 * One circuit breaker per key, created on first use.
 *
 * Keys name what can fail on its own: a tool ("tool:web.fetch") and a
 * capability ("capability:net.http") each get their own breaker, so one
 * flaky tool does not cut off a whole capability, and a broken capability
 * (say its upstream is down) stops every tool that uses it. A call that goes
 * through both passes both breakers (`execute(['tool:…', 'capability:…'], …)`).
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type BreakerState, type BreakerTransition, CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';

export interface BreakerRegistryOptions {
  /** Options for every breaker (key and onStateChange are set by the registry). */
  defaults?: Omit<CircuitBreakerOptions, 'key' | 'onStateChange'>;
  /** Per-key changes to the defaults, e.g. a longer cool-down for one slow tool. */
  overrides?: (key: string) => Omit<CircuitBreakerOptions, 'key' | 'onStateChange' | 'clock'> | undefined;
  onStateChange?: (transition: BreakerTransition) => void;
  /** Most breakers kept; guards against unbounded keys (e.g. built from user input). Default 10,000. */
  maxBreakers?: number;
}

export interface BreakerSnapshot {
  key: string;
  state: BreakerState;
  recentFailures: number;
}

/** The key of a tool's breaker. */
export function toolBreakerKey(tool: string): string {
  return `tool:${tool}`;
}

/** The key of a capability's breaker. */
export function capabilityBreakerKey(capability: string): string {
  return `capability:${capability}`;
}

export class BreakerRegistry {
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #options: BreakerRegistryOptions;
  readonly #max: number;

  constructor(options: BreakerRegistryOptions = {}) {
    this.#options = options;
    this.#max = options.maxBreakers ?? 10_000;
  }

  /**
   * The breaker for `key`, created with the defaults (and overrides) if new.
   * @throws AgentOsError 'limit-exceeded' when a new key would pass `maxBreakers`;
   *   'invalid-argument' for bad breaker options.
   */
  get(key: string): CircuitBreaker {
    let breaker = this.#breakers.get(key);
    if (breaker) return breaker;
    if (this.#breakers.size >= this.#max) {
      throw new AgentOsError('limit-exceeded', `The breaker registry holds ${this.#max} breakers; refusing a new one for ${key}. Use fewer distinct keys or raise maxBreakers.`, {
        details: { key, maxBreakers: this.#max },
      });
    }
    breaker = new CircuitBreaker({
      ...this.#options.defaults,
      ...this.#options.overrides?.(key),
      key,
      onStateChange: this.#options.onStateChange,
    });
    this.#breakers.set(key, breaker);
    return breaker;
  }

  /**
   * Runs `call` through the breaker of each key, outermost first. A refusal
   * by an inner breaker does not count as a failure of the outer ones.
   * @throws as `CircuitBreaker.execute` and `get`.
   */
  execute<T>(keys: string | readonly string[], call: () => Promise<T>): Promise<T> {
    const list = typeof keys === 'string' ? [keys] : keys;
    let wrapped = call;
    for (let i = list.length - 1; i >= 0; i--) {
      const breaker = this.get(list[i]);
      const inner = wrapped;
      wrapped = () => breaker.execute(inner);
    }
    return wrapped();
  }

  /** Every breaker's state, sorted by key (for status pages and the observer). */
  snapshot(): BreakerSnapshot[] {
    return [...this.#breakers.values()]
      .map((b) => ({ key: b.key, state: b.state, recentFailures: b.recentFailures }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
