/**
 * MCP client capability: agents call tools of external MCP servers over the
 * Streamable HTTP transport, gated by policy (`mcp.<server>.<tool>`), with
 * each server's tool definitions pinned by hash on first use.
 *
 *   - McpCapability — list/call/review/approve across configured servers
 *   - McpClient / StreamableHttpTransport — the protocol (portable: fetch + streams)
 *   - pins — ToolPinStore (memory, core Store), toolHash
 *   - gateAuthorizer — decide each call with the runtime's CapabilityGate
 */
export { McpCapability, mcpToolName, type McpAuthorize, type McpCallOutcome, type McpCapabilityOptions, type McpServerConfig, type PinReview } from './capability.ts';
export { McpClient, type McpClientOptions, type ServerInfo } from './client.ts';
export { StreamableHttpTransport, type TransportOptions } from './transport.ts';
export { MemoryPinStore, StorePinStore, pinState, toolHash, type PinState, type ServerPins, type ToolPinStore } from './pins.ts';
export { PROTOCOL_VERSIONS, type CallToolResult, type McpTool } from './messages.ts';
export { gateAuthorizer } from './gate.ts';
