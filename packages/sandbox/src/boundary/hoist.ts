/**
 * Moves jco's per-instance runtime definitions out of `instantiate()`.
 *
 * jco 1.35 defines its whole component-model runtime (Waitable, RepTable,
 * ComponentAsyncState, AsyncSubtask, AsyncTask, ~50 helpers) inside
 * `instantiate()`, so every instance re-creates ~100 KB worth of classes and
 * closures (~25 µs), and objects of two instances never share hidden classes:
 * the shared code's inline caches go megamorphic after a few instances.
 *
 * This pass hoists every function and class declaration of `instantiate`'s
 * body to module scope, and keeps the per-instance STATE per instance: each
 * top-level binding of `instantiate` that a hoisted definition reads or writes
 * (maps like ASYNC_TASKS_BY_COMPONENT_IDX, counters like RESOURCE_SCOPE_ID,
 * the `imports` and `$agentos` parameters) becomes a property of one record
 * `$$s` made per instance. Hoisted functions that need it take it as a first
 * parameter (every call site passes it); hoisted classes that need it keep it
 * in a private field, handed to the constructor as an extra last argument
 * through `$$pend` (set right before construction, taken by the first field
 * initializer, with no code in between). Static fields of hoisted classes are
 * either per-instance state (counters the glue writes, e.g. `AsyncTask._ID`)
 * or deep-frozen, so no value can pass from one sandbox to another.
 *
 * A definition that does not fit (uses `arguments` while needing state, is
 * used other than as a callee, has `extends`, …) simply stays per instance,
 * reachable through `$$s`. The result is checked by re-parsing it: no module-level
 * code may name a binding of `instantiate()`, and hoisted classes hold no unfrozen
 * static values; anything else throws.
 */
import { parse } from 'acorn';
import { AgentOsError } from '../errors/index.ts';
import { functionScopeNames, lexicalNames, patternNames, resolveTopLevel, varNames, type AstNode, type Reference } from './scope.ts';

export interface HoistReport {
  /** Definitions moved to module scope, in source order. */
  hoisted: string[];
  /** Per-instance bindings the hoisted definitions reach through the per-instance record. */
  state: string[];
  /** Function and class definitions left inside `instantiate()`. */
  kept: string[];
}

const STATE = '$$s';
const HELPERS = [
  'let $$pending;',
  '/** Hands the per-instance record to the next hoisted-class construction (the last argument of `new`). */',
  'function $$pend(s) { $$pending = s; }',
  'function $$take() {',
  '  const s = $$pending;',
  '  $$pending = undefined;',
  "  if (s === undefined) throw new Error('agentos: a hoisted glue class was constructed without its instance state');",
  '  return s;',
  '}',
  'function $$freeze(v) {',
  "  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) { Object.freeze(v); for (const k of Reflect.ownKeys(v)) $$freeze(v[k]); }",
  '  return v;',
  '}',
].join('\n');
const RESERVED = ['$$s', '$$pending', '$$pend', '$$take', '$$freeze'];

interface Def {
  name: string;
  stmt: AstNode;
  kind: 'function' | 'class';
  /** The function node (declaration or initializer) or the class node. */
  node: AstNode;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function shapeError(message: string): AgentOsError {
  return new AgentOsError('internal', `Hoisting jco's glue definitions: ${message}. Update boundary/hoist.ts for this jco version.`);
}

function parseModule(source: string): AstNode {
  try {
    return parse(source, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
  } catch (cause) {
    throw new AgentOsError('internal', `Hoisting jco's glue definitions: the glue does not parse (${(cause as Error).message}).`, { cause });
  }
}

function findInstantiate(program: AstNode): AstNode {
  const found = program.body.filter((s: AstNode) => s.type === 'ExportNamedDeclaration' && s.declaration?.type === 'FunctionDeclaration' && s.declaration.id.name === 'instantiate');
  if (found.length !== 1) throw shapeError(`expected one 'export function instantiate', found ${found.length}`);
  return found[0];
}

function candidate(stmt: AstNode): Def | undefined {
  if (stmt.type === 'FunctionDeclaration') return { name: stmt.id.name, stmt, kind: 'function', node: stmt };
  if (stmt.type === 'ClassDeclaration') return { name: stmt.id.name, stmt, kind: 'class', node: stmt };
  if (stmt.type === 'VariableDeclaration' && stmt.kind === 'const' && stmt.declarations.length === 1) {
    const [d] = stmt.declarations;
    if (d.id.type === 'Identifier' && (d.init?.type === 'ArrowFunctionExpression' || d.init?.type === 'FunctionExpression')) return { name: d.id.name, stmt, kind: 'function', node: d.init };
  }
  return undefined;
}

const parentOf = (ref: Reference): AstNode => ref.ancestors[ref.ancestors.length - 1];
/** The innermost frame that binds `this`/`arguments` (skipping arrows), or undefined at the analysed function's level. */
const receiverFrame = (frames: Reference['frames']) => [...frames].reverse().find((f) => f.kind !== 'arrow');

/**
 * Hoists jco's runtime definitions out of `instantiate()` (see the module comment).
 * @throws AgentOsError('internal') when the glue has no single `export function instantiate`,
 *   already uses a name this pass reserves, or the rewritten glue fails the final check.
 */
export function hoistGlue(source: string): { source: string; report: HoistReport } {
  for (const name of RESERVED) {
    if (source.includes(name)) throw shapeError(`the glue already uses the name ${name}`);
  }
  const program = parseModule(source);
  const exported = findInstantiate(program);
  const fn = exported.declaration as AstNode;
  const body: AstNode[] = fn.body.body;
  const { references, receivers } = resolveTopLevel(fn, [fn.body]);

  const counts = new Map<string, number>();
  for (const n of functionScopeNames(fn)) counts.set(n, (counts.get(n) ?? 0) + 1);
  const params = new Set<string>(fn.params.flatMap(patternNames));
  const outside = source.slice(0, exported.start) + source.slice(exported.end);
  const defs = new Map<string, Def>();
  for (const stmt of body) {
    const def = candidate(stmt);
    if (!def || counts.get(def.name) !== 1 || new RegExp(`\\b${def.name.replace(/\$/g, '\\$')}\\b`).test(outside)) continue;
    defs.set(def.name, def);
  }
  const defOfStmt = new Map<AstNode, Def>([...defs.values()].map((d) => [d.stmt, d]));
  /** The definition a reference names: by top-level name, or a class's own name inside it. */
  const target = (ref: Reference): string | undefined => (ref.self ? (defOfStmt.get(ref.self)?.name ?? undefined) : ref.name);
  const refsIn = new Map<Def, Reference[]>();
  const uses = new Map<string, Reference[]>();
  for (const ref of references) {
    if (ref.self && !defOfStmt.has(ref.self)) continue;
    const owner = defOfStmt.get(ref.ancestors[0]);
    if (owner) {
      if (!refsIn.has(owner)) refsIn.set(owner, []);
      refsIn.get(owner)!.push(ref);
    }
    const name = target(ref)!;
    if (!uses.has(name)) uses.set(name, []);
    uses.get(name)!.push(ref);
  }

  // Static fields the glue writes (`++AsyncTask._ID`) become per-instance state; the rest are frozen.
  const movedStatics = new Map<string, Map<string, AstNode>>();
  const rejected = new Set<string>();
  for (const def of defs.values()) {
    if (def.kind === 'function') {
      if (def.node.type === 'ArrowFunctionExpression' && receivers.some((r) => r.frames[0]?.node === def.node && !receiverFrame(r.frames))) rejected.add(def.name);
      continue;
    }
    const cls = def.node;
    if (cls.superClass || cls.body.body.some((m: AstNode) => m.type === 'StaticBlock' || (m.static && m.computed))) rejected.add(def.name);
    if (receivers.some((r) => r.frames[0]?.node && cls.body.body.includes(r.frames[0].node) && ['static-method', 'static-field', 'static-block'].includes(receiverFrame(r.frames)?.kind ?? ''))) rejected.add(def.name);
    const written = new Set<string>();
    for (const ref of uses.get(def.name) ?? []) {
      const parent = parentOf(ref);
      if (parent.type !== 'MemberExpression' || parent.object !== ref.node || parent.computed) continue;
      const grand = ref.ancestors[ref.ancestors.length - 2];
      if ((grand?.type === 'AssignmentExpression' && grand.left === parent) || (grand?.type === 'UpdateExpression' && grand.argument === parent)) written.add(parent.property.name);
    }
    const moved = new Map<string, AstNode>();
    for (const member of cls.body.body) {
      if (member.type !== 'PropertyDefinition' || !member.static) continue;
      if ((refsIn.get(def) ?? []).some((r) => r.frames[0]?.node === member)) rejected.add(def.name);
      if (written.has(member.key.name)) {
        if (member.value && member.value.type !== 'Literal') rejected.add(def.name);
        moved.set(member.key.name, member);
      }
    }
    movedStatics.set(def.name, moved);
  }

  const stmtOfName = new Map<string, AstNode>();
  for (const stmt of body) {
    if (stmt.type === 'VariableDeclaration') stmt.declarations.forEach((d: AstNode) => patternNames(d.id).forEach((n) => stmtOfName.set(n, stmt)));
    else if (stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') stmtOfName.set(stmt.id.name, stmt);
  }
  /** A binding that can live in the per-instance record. */
  const stateable = (name: string): boolean => {
    if (counts.get(name) !== 1) return false;
    if (params.has(name)) return true;
    const stmt = stmtOfName.get(name);
    if (!stmt) return false;
    if (stmt.type === 'VariableDeclaration') return stmt.declarations.length === 1 && stmt.declarations[0].id.type === 'Identifier';
    return true;
  };

  let hoisted = new Set([...defs.keys()].filter((n) => !rejected.has(n)));
  const needs = new Set<string>();
  for (;;) {
    needs.clear();
    const reachesState = (def: Def): boolean =>
      (refsIn.get(def) ?? []).some((ref) => {
        const name = target(ref)!;
        if (name === def.name && ref.self) return isMovedStatic(ref);
        if (!hoisted.has(name)) return true;
        return needs.has(name) || isMovedStatic(ref);
      });
    const isMovedStatic = (ref: Reference): boolean => {
      const parent = parentOf(ref);
      return parent.type === 'MemberExpression' && parent.object === ref.node && !parent.computed && (movedStatics.get(target(ref)!)?.has(parent.property.name) ?? false);
    };
    for (let grew = true; grew; ) {
      grew = false;
      for (const name of hoisted) {
        if (!needs.has(name) && reachesState(defs.get(name)!)) {
          needs.add(name);
          grew = true;
        }
      }
    }
    const bad = [...hoisted].filter((name) => !fits(defs.get(name)!));
    if (bad.length === 0) break;
    hoisted = new Set([...hoisted].filter((n) => !bad.includes(n)));
  }

  function fits(def: Def): boolean {
    for (const ref of refsIn.get(def) ?? []) {
      const name = target(ref)!;
      if (!hoisted.has(name) && !stateable(name)) return false;
      if (def.kind === 'class' && (hoisted.has(name) ? needs.has(name) : true)) {
        const kinds = ref.frames.map((f) => f.kind);
        if (kinds[0] !== 'method' && kinds[0] !== 'field') return false;
        if (kinds[0] === 'field' && kinds.slice(1).some((k) => k !== 'arrow')) return false;
      }
    }
    if (!needs.has(def.name)) return true;
    if (def.kind === 'function') {
      if (receivers.some((r) => r.what === 'arguments' && receiverFrame(r.frames)?.node === def.node)) return false;
      return (uses.get(def.name) ?? []).every((ref) => {
        const parent = parentOf(ref);
        return parent.type === 'CallExpression' && parent.callee === ref.node && !parent.optional;
      });
    }
    const ctor = def.node.body.body.find((m: AstNode) => m.kind === 'constructor');
    if (ctor && (ctor.value.params.some((p: AstNode) => p.type === 'RestElement') || receivers.some((r) => r.what === 'arguments' && receiverFrame(r.frames)?.node === ctor))) return false;
    return (uses.get(def.name) ?? []).every((ref) => {
      const parent = parentOf(ref);
      if (parent.type === 'NewExpression' && parent.callee === ref.node) return !parent.arguments.some((a: AstNode) => a.type === 'SpreadElement');
      if (parent.type === 'MemberExpression' && parent.object === ref.node && !parent.computed) return true;
      return parent.type === 'BinaryExpression' && parent.operator === 'instanceof' && parent.right === ref.node;
    });
  }

  // Per-instance bindings the hoisted code reaches.
  const state = new Set<string>();
  for (const name of hoisted) {
    for (const ref of refsIn.get(defs.get(name)!) ?? []) {
      const t = target(ref)!;
      if (!hoisted.has(t)) state.add(t);
    }
  }

  const edits: Edit[] = [];
  const source_ = source;
  const hoistedStmts = new Set([...hoisted].map((n) => defs.get(n)!.stmt));
  /** How code at this reference reaches the per-instance record. */
  const stateAt = (ref: Reference): string => {
    const owner = defOfStmt.get(ref.ancestors[0]);
    if (owner && hoistedStmts.has(owner.stmt) && owner.kind === 'class' && ref.frames[0]?.kind === 'field') return `this.#${STATE}`;
    return STATE;
  };
  const methodsNeedingState = new Set<AstNode>();
  for (const ref of references) {
    if (ref.self && !defOfStmt.has(ref.self)) continue;
    const name = target(ref)!;
    const parent = parentOf(ref);
    const owner = defOfStmt.get(ref.ancestors[0]);
    const inHoistedClass = owner && hoisted.has(owner.name) && owner.kind === 'class';
    let usesState = false;
    if (state.has(name) && !ref.self) {
      const shorthand = parent.type === 'Property' && parent.shorthand && parent.value === ref.node;
      edits.push({ start: ref.node.start, end: ref.node.end, text: `${shorthand ? `${name}: ` : ''}${stateAt(ref)}.${name}` });
      usesState = true;
    } else if (hoisted.has(name)) {
      const moved = movedStatics.get(name);
      if (moved && parent.type === 'MemberExpression' && parent.object === ref.node && !parent.computed && moved.has(parent.property.name)) {
        edits.push({ start: parent.start, end: parent.end, text: `${stateAt(ref)}.${name}$${parent.property.name}` });
        usesState = true;
      } else if (needs.has(name) && parent.type === 'CallExpression' && parent.callee === ref.node) {
        const args = parent.arguments;
        edits.push(args.length ? { start: args[0].start, end: args[0].start, text: `${stateAt(ref)}, ` } : { start: parent.end - 1, end: parent.end - 1, text: stateAt(ref) });
        usesState = true;
      } else if (needs.has(name) && parent.type === 'NewExpression' && parent.callee === ref.node) {
        const def = defs.get(name)!;
        const ctor = def.node.body.body.find((m: AstNode) => m.kind === 'constructor');
        const pad = Math.max(0, (ctor?.value.params.length ?? 0) - parent.arguments.length);
        const extra = [...Array<string>(pad).fill('undefined'), `$$pend(${stateAt(ref)})`].join(', ');
        if (source_[parent.end - 1] === ')') edits.push({ start: parent.end - 1, end: parent.end - 1, text: `${parent.arguments.length ? ', ' : ''}${extra}` });
        else edits.push({ start: parent.end, end: parent.end, text: `(${extra})` });
        usesState = true;
      }
    }
    if (usesState && inHoistedClass && ref.frames[0]?.kind === 'method') methodsNeedingState.add(ref.frames[0].node);
  }

  for (const name of hoisted) {
    const def = defs.get(name)!;
    if (def.kind === 'function' && needs.has(name)) {
      const fnNode = def.node;
      const first = fnNode.params[0];
      if (!first) {
        const open = source.indexOf('(', fnNode.type === 'FunctionDeclaration' ? fnNode.id.end : fnNode.start);
        edits.push({ start: open + 1, end: open + 1, text: STATE });
      } else if (fnNode.type === 'ArrowFunctionExpression' && !source.slice(fnNode.start, first.start).includes('(')) {
        edits.push({ start: first.start, end: first.start, text: `(${STATE}, ` }, { start: first.end, end: first.end, text: ')' });
      } else edits.push({ start: first.start, end: first.start, text: `${STATE}, ` });
    }
    if (def.kind === 'class') {
      const cls = def.node;
      if (needs.has(name)) edits.push({ start: cls.body.start + 1, end: cls.body.start + 1, text: ` #${STATE} = $$take();` });
      for (const member of cls.body.body) {
        if (member.type === 'MethodDefinition' && methodsNeedingState.has(member)) {
          const at = member.value.body.start + 1;
          edits.push({ start: at, end: at, text: ` const ${STATE} = this.#${STATE};` });
        }
        if (member.type === 'PropertyDefinition' && member.static) {
          if (movedStatics.get(name)?.has(member.key.name)) edits.push({ start: member.start, end: member.end, text: '' });
          else if (member.value) edits.push({ start: member.value.start, end: member.value.start, text: '$$freeze(' }, { start: member.value.end, end: member.value.end, text: ')' });
        }
      }
    }
  }

  // Declarations of per-instance state become record properties.
  const record: string[] = [];
  for (const name of state) {
    if (params.has(name) || stmtOfName.get(name)?.type === 'FunctionDeclaration') {
      record.push(`${name}: ${name}`);
      continue;
    }
    record.push(`${name}: undefined`);
    const stmt = stmtOfName.get(name)!;
    if (stmt.type === 'ClassDeclaration') {
      edits.push({ start: stmt.start, end: stmt.start, text: `${STATE}.${name} = ` }, { start: stmt.end, end: stmt.end, text: ';' });
    } else {
      const init = stmt.declarations[0].init;
      if (init) edits.push({ start: stmt.start, end: init.start, text: `${STATE}.${name} = ` });
      else edits.push({ start: stmt.start, end: stmt.end, text: `${STATE}.${name} = undefined;` });
    }
  }
  for (const name of hoisted) {
    for (const [field, member] of movedStatics.get(name) ?? []) {
      record.push(`${name}$${field}: ${member.value ? source.slice(member.value.start, member.value.end) : 'undefined'}`);
    }
  }
  edits.push({ start: fn.body.start + 1, end: fn.body.start + 1, text: `\n  const ${STATE} = { ${record.join(', ')} };` });

  const order = [...hoisted].map((n) => defs.get(n)!.stmt).sort((a, b) => a.start - b.start);
  const moved = order.map((stmt) => applyEdits(source, stmt.start, stmt.end, edits));
  let rest = '';
  let at = 0;
  const removed = order.map((s) => [s.start, s.end] as const);
  const restEdits = [...edits.filter((e) => !order.some((s) => e.start >= s.start && e.end <= s.end)), ...removed.map(([start, end]) => ({ start, end, text: '' }))];
  rest = applyEdits(source, 0, source.length, restEdits);
  at = rest.indexOf('export function instantiate(');
  const out = `${rest.slice(0, at)}${HELPERS}\n\n${moved.join('\n\n')}\n\n${rest.slice(at)}`;
  verify(out, new Set(counts.keys()), new Set(hoisted));
  return {
    source: out,
    report: { hoisted: order.map((s) => defOfStmt.get(s)!.name), state: [...state], kept: [...defs.keys()].filter((n) => !hoisted.has(n)) },
  };
}

/** Applies the edits inside [start, end) to that slice of `source`. */
function applyEdits(source: string, start: number, end: number, edits: Edit[]): string {
  const inside = edits
    .map((e, i) => ({ ...e, i }))
    .filter((e) => e.start >= start && e.end <= end)
    .sort((a, b) => a.start - b.start || (a.end - a.start) - (b.end - b.start) || a.i - b.i);
  let out = '';
  let at = start;
  for (const e of inside) {
    if (e.start < at) throw shapeError(`overlapping rewrites near '${source.slice(e.start, e.start + 60)}'`);
    out += source.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + source.slice(at, end);
}

/**
 * The final check: the output parses, no module-level code names a binding of
 * `instantiate()` (it would be a global lookup, or worse, shared), and every static
 * value of a hoisted class is a primitive or frozen.
 * @throws AgentOsError('internal') otherwise.
 */
function verify(out: string, instanceNames: Set<string>, hoisted: Set<string>): void {
  const program = parseModule(out);
  const exported = findInstantiate(program);
  const statements = program.body.map((s: AstNode) => (s.type === 'ExportNamedDeclaration' && s.declaration ? s.declaration : s));
  const moduleFn: AstNode = { type: 'FunctionExpression', start: 0, end: out.length, params: [], body: { type: 'BlockStatement', start: 0, end: out.length, body: statements } };
  const { unresolved } = resolveTopLevel(moduleFn, [moduleFn.body]);
  const declared = new Set([...varNames(statements), ...lexicalNames(statements, true)]);
  const moved = statements.filter((s: AstNode) => {
    const name = s.type === 'VariableDeclaration' ? s.declarations[0]?.id.name : s.id?.name;
    return s !== exported.declaration && hoisted.has(name);
  });
  for (const ref of unresolved) {
    if (!moved.some((s: AstNode) => ref.node.start >= s.start && ref.node.end <= s.end)) continue;
    if (instanceNames.has(ref.name) && !declared.has(ref.name)) {
      throw shapeError(`hoisted code still names the per-instance binding '${ref.name}' (near '${out.slice(ref.node.start, ref.node.start + 60)}')`);
    }
  }
  for (const s of program.body) {
    if (s === exported || s.type !== 'ClassDeclaration' || !hoisted.has(s.id.name)) continue;
    for (const m of s.body.body) {
      if (m.type !== 'PropertyDefinition' || !m.static || !m.value) continue;
      const frozen = m.value.type === 'CallExpression' && m.value.callee.type === 'Identifier' && m.value.callee.name === '$$freeze';
      if (!frozen && m.value.type !== 'Literal') throw shapeError(`hoisted class ${s.id.name} keeps a shared, unfrozen static '${m.key.name}'`);
    }
  }
}
