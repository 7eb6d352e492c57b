/**
 * Turns the messages of the build toolchain (esbuild, componentize-qjs) into
 * `AgentOsError`s with stable codes. The tools only give us text, so this is
 * the one place that knows their wording; tests pin it to the installed versions.
 */
import { AgentOsError } from '../errors/index.ts';

/** Where the build failed, for messages that name the user's files. */
export interface BuildContext {
  /** The entry file as the user named it. */
  entry: string;
  /** The WIT file or folder. */
  witPath: string;
  /** The world, when one was chosen. */
  world?: string;
}

/** A source position as esbuild reports it (1-based line, 0-based column). */
export interface SourceMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText?: string } | null;
}

/**
 * The error for a JavaScript/TypeScript source that does not compile, as
 * `file:line:column: message` so editors can jump to it.
 */
export function sourceError(messages: readonly SourceMessage[], context: BuildContext): AgentOsError {
  const first = messages[0];
  const where = first?.location
    ? `${first.location.file}:${first.location.line}:${first.location.column + 1}`
    : context.entry;
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : '';
  return new AgentOsError('invalid-argument', `${where}: ${first?.text ?? 'cannot compile the source'}${more}`, {
    details: {
      file: first?.location?.file ?? context.entry,
      line: first?.location?.line,
      column: first?.location ? first.location.column + 1 : undefined,
    },
  });
}

/**
 * Classifies a componentize-qjs failure:
 * - the WIT does not parse or resolve → 'invalid-component' (with the tool's message);
 * - the world is not in the package, or must be chosen → 'invalid-argument';
 * - the guest's JavaScript throws while it is evaluated at build time → 'invalid-argument';
 * - anything else → 'internal'.
 */
export function componentizeError(error: unknown, context: BuildContext): AgentOsError {
  const message = (error instanceof Error ? error.message : String(error)).trim();
  if (/^World `.*` not found|multiple worlds/.test(message)) {
    return new AgentOsError('invalid-argument', `${message}; pass one with --world`, {
      cause: error,
      details: { witPath: context.witPath, world: context.world },
    });
  }
  if (/WIT|parsing|failed to parse|failed to resolve/.test(message)) {
    return new AgentOsError('invalid-component', `the WIT at ${context.witPath} does not parse: ${message}`, {
      cause: error,
      details: { witPath: context.witPath },
    });
  }
  if (message.includes('Failed to evaluate user JavaScript module')) {
    // Positions in the message refer to the bundle (`user.js`), not the user's file.
    const detail = message.replace(/^:\s*Failed to evaluate user JavaScript module:\s*/, '');
    return new AgentOsError(
      'invalid-argument',
      `${context.entry}: the module failed while it was evaluated at build time (positions refer to the bundle): ${detail}`,
      { cause: error, details: { file: context.entry } },
    );
  }
  return new AgentOsError('internal', `componentize-qjs failed: ${message}`, { cause: error });
}
