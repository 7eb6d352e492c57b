/**
 * Name resolution over an acorn (ESTree) syntax tree, just enough for the
 * glue hoisting pass (hoist.ts): which identifiers inside a function refer to
 * that function's own top-level bindings, and in what syntactic context.
 * Shadowing is exact (function, block, catch, loop, class and switch scopes,
 * `var` hoisting), so a local `resolve` inside a helper is never mistaken for
 * the `resolve` of `instantiate()`.
 */

/** An ESTree node as acorn produces it; accessed structurally. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AstNode = { type: string; start: number; end: number; [key: string]: any };

/** A function-like frame between a reference and the analysed function's top level. */
export interface Frame {
  node: AstNode;
  /** 'method' covers constructors, getters and setters; 'field' an instance field initializer. */
  kind: 'function' | 'arrow' | 'method' | 'static-method' | 'field' | 'static-field' | 'static-block';
}

/** An identifier that resolves to a top-level binding of the analysed function. */
export interface Reference {
  name: string;
  node: AstNode;
  /** Ancestors, innermost last (the identifier itself excluded). */
  ancestors: AstNode[];
  frames: Frame[];
  /** Set when the name is a class's own name used inside that class: the class node. */
  self?: AstNode;
}

/** `this`, `arguments`, `super` or `new.target` seen inside a frame. */
export interface ReceiverUse {
  what: 'this' | 'arguments' | 'super' | 'new.target';
  node: AstNode;
  frames: Frame[];
}

export interface Resolution {
  /** Each reference to a top-level name, in source order. */
  references: Reference[];
  receivers: ReceiverUse[];
  /** Identifiers bound nowhere inside `fn` (globals, or the enclosing module's names). */
  unresolved: Reference[];
}

interface Scope {
  names: Set<string>;
  parent: Scope | undefined;
  /** For a class's own name scope: the binding is the class itself. */
  selfOf?: AstNode;
}

/** Names bound by a binding pattern. */
export function patternNames(pattern: AstNode | null): string[] {
  if (!pattern) return [];
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((p: AstNode) => patternNames(p.type === 'RestElement' ? p.argument : p.value));
    case 'ArrayPattern':
      return pattern.elements.flatMap((e: AstNode | null) => patternNames(e));
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    default:
      return [];
  }
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** `var` names and top-level function declarations of a function body (not crossing nested functions). */
export function varNames(body: AstNode[]): string[] {
  const out: string[] = [];
  const visit = (node: AstNode | null, top: boolean): void => {
    if (!node || typeof node.type !== 'string') return;
    if (FUNCTION_TYPES.has(node.type) || node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      if (top && node.type === 'FunctionDeclaration') out.push(node.id.name);
      return;
    }
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const d of node.declarations) out.push(...patternNames(d.id));
    }
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (Array.isArray(child)) child.forEach((c) => visit(c, false));
      else if (child && typeof child === 'object' && typeof child.type === 'string') visit(child, false);
    }
  };
  body.forEach((s) => visit(s, true));
  return out;
}

/** let/const/class (and, in blocks, function) names declared directly in a statement list. */
export function lexicalNames(statements: AstNode[], includeFunctions: boolean): string[] {
  const out: string[] = [];
  for (const s of statements) {
    if (s.type === 'VariableDeclaration' && s.kind !== 'var') for (const d of s.declarations) out.push(...patternNames(d.id));
    else if (s.type === 'ClassDeclaration') out.push(s.id.name);
    else if (includeFunctions && s.type === 'FunctionDeclaration') out.push(s.id.name);
  }
  return out;
}

/** Top-level names of a function: parameters, `var`s, function declarations and lexical declarations of its body. */
export function functionScopeNames(fn: AstNode): string[] {
  const body: AstNode[] = fn.body.type === 'BlockStatement' ? fn.body.body : [];
  return [...fn.params.flatMap(patternNames), ...varNames(body), ...lexicalNames(body, false)];
}

/**
 * Resolves every identifier inside `nodes` (statements of `fn`'s body, or its parameters):
 * reports those bound by `fn`'s own scope, and every `this`/`arguments`/`super`/`new.target`.
 */
export function resolveTopLevel(fn: AstNode, nodes: AstNode[]): Resolution {
  const top: Scope = { names: new Set(functionScopeNames(fn)), parent: undefined };
  const references: Reference[] = [];
  const receivers: ReceiverUse[] = [];
  const unresolved: Reference[] = [];
  const ancestors: AstNode[] = [];
  const frames: Frame[] = [];

  const lookup = (name: string, scope: Scope): Scope | undefined => {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.names.has(name)) return s;
    return undefined;
  };
  const reference = (node: AstNode, scope: Scope): void => {
    const found = lookup(node.name, scope);
    // `ancestors` ends with the identifier itself.
    const above = ancestors.slice(0, -1);
    if (found === top) references.push({ name: node.name, node, ancestors: above, frames: [...frames] });
    else if (found?.selfOf) references.push({ name: node.name, node, ancestors: above, frames: [...frames], self: found.selfOf });
    else if (!found) unresolved.push({ name: node.name, node, ancestors: above, frames: [...frames] });
  };
  const child = (node: AstNode | null | undefined, scope: Scope): void => {
    if (!node || typeof node.type !== 'string') return;
    ancestors.push(node);
    try {
      visit(node, scope);
    } finally {
      ancestors.pop();
    }
  };
  const children = (nodes: (AstNode | null)[], scope: Scope): void => nodes.forEach((n) => child(n, scope));
  /** Binding patterns: names are declarations; defaults and computed keys are expressions. */
  const pattern = (node: AstNode | null, scope: Scope): void => {
    if (!node) return;
    ancestors.push(node);
    try {
      switch (node.type) {
        case 'Identifier':
          return;
        case 'ObjectPattern':
          for (const p of node.properties) {
            if (p.type === 'RestElement') pattern(p.argument, scope);
            else {
              if (p.computed) child(p.key, scope);
              pattern(p.value, scope);
            }
          }
          return;
        case 'ArrayPattern':
          node.elements.forEach((e: AstNode | null) => pattern(e, scope));
          return;
        case 'RestElement':
          pattern(node.argument, scope);
          return;
        case 'AssignmentPattern':
          pattern(node.left, scope);
          child(node.right, scope);
          return;
        default:
          visit(node, scope);
      }
    } finally {
      ancestors.pop();
    }
  };
  const withFrame = (frame: Frame, run: () => void): void => {
    frames.push(frame);
    try {
      run();
    } finally {
      frames.pop();
    }
  };
  const fnScope = (node: AstNode, scope: Scope): void => {
    const own: Scope = { names: new Set(functionScopeNames(node)), parent: scope };
    if (node.type === 'FunctionExpression' && node.id) own.names.add(node.id.name);
    node.params.forEach((p: AstNode) => pattern(p, own));
    if (node.body.type === 'BlockStatement') {
      ancestors.push(node.body);
      children(node.body.body, own);
      ancestors.pop();
    } else child(node.body, own);
  };
  const block = (statements: AstNode[], scope: Scope): Scope => ({ names: new Set(lexicalNames(statements, true)), parent: scope });

  function visit(node: AstNode, scope: Scope): void {
    switch (node.type) {
      case 'Identifier':
        reference(node, scope);
        return;
      case 'ThisExpression':
        receivers.push({ what: 'this', node, frames: [...frames] });
        return;
      case 'Super':
        receivers.push({ what: 'super', node, frames: [...frames] });
        return;
      case 'MetaProperty':
        if (node.meta.name === 'new') receivers.push({ what: 'new.target', node, frames: [...frames] });
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
        withFrame({ node, kind: 'function' }, () => fnScope(node, scope));
        return;
      case 'ArrowFunctionExpression':
        withFrame({ node, kind: 'arrow' }, () => fnScope(node, scope));
        return;
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const inner: Scope = node.id ? { names: new Set([node.id.name]), parent: scope, selfOf: node } : scope;
        child(node.superClass, scope);
        ancestors.push(node.body);
        for (const member of node.body.body) classMember(member, inner);
        ancestors.pop();
        return;
      }
      case 'VariableDeclaration':
        for (const d of node.declarations) {
          ancestors.push(d);
          pattern(d.id, scope);
          child(d.init, scope);
          ancestors.pop();
        }
        return;
      case 'BlockStatement':
        children(node.body, block(node.body, scope));
        return;
      case 'StaticBlock':
        return;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const head = node.type === 'ForStatement' ? node.init : node.left;
        const inner: Scope = head?.type === 'VariableDeclaration' && head.kind !== 'var' ? { names: new Set(head.declarations.flatMap((d: AstNode) => patternNames(d.id))), parent: scope } : scope;
        for (const key of ['init', 'left', 'test', 'update', 'right', 'body']) child(node[key], inner);
        return;
      }
      case 'CatchClause': {
        const inner: Scope = { names: new Set(patternNames(node.param)), parent: scope };
        pattern(node.param, inner);
        child(node.body, inner);
        return;
      }
      case 'SwitchStatement': {
        child(node.discriminant, scope);
        const inner = block(node.cases.flatMap((c: AstNode) => c.consequent), scope);
        children(node.cases, inner);
        return;
      }
      case 'MemberExpression':
        child(node.object, scope);
        if (node.computed) child(node.property, scope);
        return;
      case 'Property':
        if (node.computed) child(node.key, scope);
        child(node.value, scope);
        return;
      case 'LabeledStatement':
        child(node.body, scope);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      default:
        for (const key of Object.keys(node)) {
          if (key === 'type' || key === 'start' || key === 'end') continue;
          const value = node[key];
          if (Array.isArray(value)) children(value, scope);
          else if (value && typeof value === 'object' && typeof value.type === 'string') child(value, scope);
        }
    }
  }

  function classMember(member: AstNode, scope: Scope): void {
    ancestors.push(member);
    try {
      if (member.computed) child(member.key, scope);
      if (member.type === 'MethodDefinition') {
        ancestors.push(member.value);
        withFrame({ node: member, kind: member.static ? 'static-method' : 'method' }, () => fnScope(member.value, scope));
        ancestors.pop();
      } else if (member.type === 'PropertyDefinition') {
        withFrame({ node: member, kind: member.static ? 'static-field' : 'field' }, () => child(member.value, scope));
      } else if (member.type === 'StaticBlock') {
        withFrame({ node: member, kind: 'static-block' }, () => {
          const own: Scope = { names: new Set([...varNames(member.body), ...lexicalNames(member.body, true)]), parent: scope };
          children(member.body, own);
        });
      }
    } finally {
      ancestors.pop();
    }
  }

  for (const node of nodes) {
    if (node === fn.body) children(fn.body.body, top);
    else child(node, top);
  }
  return { references, receivers, unresolved };
}
