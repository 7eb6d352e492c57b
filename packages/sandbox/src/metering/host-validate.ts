/**
 * Asks the host engine whether bytes are a valid module, where it lets us.
 * Node and Chromium expose `WebAssembly.validate`; workerd may refuse runtime
 * compilation APIs, in which case the answer is "unknown" and the decoder's
 * own checks plus the engine's validation at load time have to do.
 */

/** true/false from the host, or undefined when the host cannot tell. */
export function hostValidate(bytes: Uint8Array): boolean | undefined {
  try {
    const wasm = (globalThis as { WebAssembly?: { validate?: (b: BufferSource) => boolean } }).WebAssembly;
    if (typeof wasm?.validate !== 'function') return undefined;
    return wasm.validate(bytes as Uint8Array<ArrayBuffer>);
  } catch {
    return undefined;
  }
}

/** The host's reason why `bytes` are invalid (only called once validation failed). */
export function hostValidationMessage(bytes: Uint8Array): string {
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    return 'the host engine refused the module';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
