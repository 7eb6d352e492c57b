import { describe, expect, it } from 'vitest';
import { toFinishReason, toToolCall, toUsage, ToolNames, toWireRequest } from './convert.ts';

describe('ToolNames', () => {
  it('keeps legal names, maps illegal ones reversibly and keeps mapped names unique', () => {
    const names = new ToolNames();
    expect(names.wire('word-count')).toBe('word-count');
    expect(names.wire('mcp.docs.search')).toBe('mcp_docs_search');
    expect(names.wire('mcp_docs.search')).toBe('mcp_docs_search_2');
    expect(names.wire('x'.repeat(80))).toHaveLength(64);
    expect(names.original('mcp_docs_search')).toBe('mcp.docs.search');
    expect(names.original('mcp_docs_search_2')).toBe('mcp_docs.search');
    expect(names.original('never-offered')).toBe('never-offered');
  });
});

describe('wire conversion', () => {
  it('refuses a tool whose input schema is not JSON', () => {
    const tool = { name: 't', version: '1', description: 'd', inputSchema: '{oops', outputSchema: '{}' };
    expect(() => toWireRequest({ model: 'm', messages: [], tools: [tool] }, new ToolNames())).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('maps finish reasons, treating unknown ones by whether there are tool calls', () => {
    expect(toFinishReason('content_filter', false)).toBe('content-filter');
    expect(toFinishReason('length', true)).toBe('length');
    expect(toFinishReason('function_call', false)).toBe('tool-calls');
    expect(toFinishReason('eos', true)).toBe('tool-calls');
    expect(toFinishReason(null, false)).toBe('stop');
  });

  it('gives empty tool-call arguments as {}', () => {
    expect(toToolCall({ id: 'c', name: 'n', arguments: '  ' }, new ToolNames()).arguments).toBe('{}');
    expect(toToolCall({ id: 'c', name: 'n', arguments: null }, new ToolNames()).arguments).toBe('{}');
  });

  it('prefers reported usage over the estimate', () => {
    const message = { role: 'assistant' as const, content: 'x'.repeat(400), toolCalls: [] };
    expect(toUsage({ prompt_tokens: 3, completion_tokens: 4 }, { messages: [], tools: [] }, message)).toEqual({ inputTokens: 3, outputTokens: 4 });
    expect(toUsage(undefined, { messages: [], tools: [] }, message)).toEqual({ inputTokens: 0, outputTokens: 100 });
  });
});
