/**
 * Names inside the store, and the layout that keeps owners apart.
 *
 * Layout: `agent/<agent id>/files/<path>`, `agent/<agent id>/artifacts/…` and
 * `board/<board name>/<path>`. Agent ids and board names are single segments
 * and paths are relative runs of segments, so the `/` after every owner segment
 * keeps one owner's keys from being a prefix of another's (`agent/a/` never
 * matches `agent/ab/…`). No path resolution ever happens — `..` is refused
 * rather than interpreted — so a path cannot climb out of its namespace.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

const MAX_SEGMENT = 255;
const MAX_PATH = 512;
const MAX_DEPTH = 32;
// Control characters, and `\` (a separator to some file-backed stores).
const BAD_CHAR = /[\u0000-\u001f\u007f\\]/;

function segmentProblem(segment: string): string | undefined {
  if (segment.length === 0) return 'empty segments (leading, trailing or doubled "/") are not allowed';
  if (segment === '.' || segment === '..') return `"${segment}" segments are not allowed`;
  if (segment.length > MAX_SEGMENT) return `segments are limited to ${MAX_SEGMENT} characters`;
  if (BAD_CHAR.test(segment)) return 'control characters and "\\" are not allowed';
  return undefined;
}

function invalid(what: string, value: string, why: string): AgentOsError {
  return new AgentOsError('invalid-argument', `Invalid ${what} ${JSON.stringify(value.slice(0, 80))}: ${why}.`, { details: { [what.replace(/ /g, '')]: value.slice(0, 80) } });
}

/**
 * Checks an agent id or board name: one segment, no `/`.
 * @throws AgentOsError 'invalid-argument' otherwise.
 */
export function checkOwnerName(what: 'agent id' | 'board name', name: string): void {
  if (typeof name !== 'string' || !name.isWellFormed()) throw invalid(what, String(name), 'it must be a well-formed string');
  if (name.includes('/')) throw invalid(what, name, '"/" is not allowed');
  const problem = segmentProblem(name);
  if (problem) throw invalid(what, name, problem);
}

/**
 * Checks a relative path such as `notes/today.md`.
 * @throws AgentOsError 'invalid-argument' for empty, absolute, `.`/`..`, doubled-slash or overlong paths.
 */
export function checkPath(path: string): void {
  if (typeof path !== 'string' || !path.isWellFormed()) throw invalid('path', String(path), 'it must be a well-formed string');
  if (path.length > MAX_PATH) throw invalid('path', path, `paths are limited to ${MAX_PATH} characters`);
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) throw invalid('path', path, `paths are limited to ${MAX_DEPTH} segments`);
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) throw invalid('path', path, problem);
  }
}

/**
 * Checks a listing prefix: empty, a path, a path and `/`, or a path whose last segment is partial.
 * @throws AgentOsError 'invalid-argument' when the complete segments are not a valid path.
 */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return;
  if (typeof prefix !== 'string') throw invalid('prefix', String(prefix), 'it must be a string');
  checkPath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

export function agentRoot(agent: string): string {
  return `agent/${agent}/`;
}

export function boardRoot(board: string): string {
  return `board/${board}/`;
}
