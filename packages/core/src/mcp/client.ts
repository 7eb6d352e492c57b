/**
 * One MCP server, seen from the host: the initialize handshake (protocol
 * version negotiation, `notifications/initialized`), `tools/list` across
 * pages, and `tools/call`. A session the server forgot is re-established
 * once, transparently.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import {
  callToolResultSchema, initializeResultSchema, listToolsResultSchema, parseFromServer, PROTOCOL_VERSIONS,
  type CallToolResult, type McpTool,
} from './messages.ts';
import { isSessionExpired, StreamableHttpTransport, type TransportOptions } from './transport.ts';

export interface McpClientOptions extends TransportOptions {
  /** How the client introduces itself; default `agentos`. */
  clientName?: string;
  /** Most `tools/list` pages read (a server paging forever is refused); default 50. */
  maxPages?: number;
}

export interface ServerInfo {
  name: string;
  version: string;
  protocolVersion: string;
}

export class McpClient {
  readonly #transport: StreamableHttpTransport;
  readonly #options: McpClientOptions;
  #server: ServerInfo | undefined;
  #connecting: Promise<ServerInfo> | undefined;

  /** @throws AgentOsError 'invalid-argument' for a bad URL. */
  constructor(options: McpClientOptions) {
    this.#options = options;
    this.#transport = new StreamableHttpTransport(options);
  }

  /** The server's name, version and the negotiated protocol version, once connected. */
  get server(): ServerInfo | undefined {
    return this.#server;
  }

  /**
   * Runs the initialize handshake (once; later calls share it).
   * @throws AgentOsError 'unsupported-feature' when the server picks a protocol version this
   *   client does not speak, or has no tools capability; the transport's errors.
   */
  connect(): Promise<ServerInfo> {
    this.#connecting ??= this.#initialize().catch((error) => {
      this.#connecting = undefined;
      throw error;
    });
    return this.#connecting;
  }

  /**
   * Every tool of the server, following `nextCursor` page by page.
   * @throws AgentOsError 'limit-exceeded' past maxPages; as `connect` and the transport.
   */
  async listTools(): Promise<McpTool[]> {
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    const maxPages = this.#options.maxPages ?? 50;
    for (let page = 0; ; page++) {
      if (page >= maxPages) {
        throw new AgentOsError('limit-exceeded', `The MCP server's tool list runs past ${maxPages} pages; refusing to read more.`, { details: { maxPages } });
      }
      const result = await this.#request('tools/list', cursor === undefined ? {} : { cursor });
      const listed = parseFromServer(listToolsResultSchema, result, 'tools/list result');
      tools.push(...listed.tools);
      if (listed.nextCursor === undefined || listed.nextCursor === '') return tools;
      cursor = listed.nextCursor;
    }
  }

  /**
   * Calls a tool. A tool that fails says so in the result (`isError`), not by throwing.
   * @throws as the transport (JSON-RPC errors such as unknown tool or bad arguments).
   */
  async callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const result = await this.#request('tools/call', { name, arguments: args });
    return parseFromServer(callToolResultSchema, result, 'tools/call result');
  }

  async close(): Promise<void> {
    this.#connecting = undefined;
    this.#server = undefined;
    await this.#transport.close();
  }

  async #request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.connect();
    try {
      return await this.#transport.request(method, params);
    } catch (error) {
      if (!isSessionExpired(error)) throw error;
      this.#connecting = undefined;
      await this.connect();
      return this.#transport.request(method, params);
    }
  }

  async #initialize(): Promise<ServerInfo> {
    this.#transport.protocolVersion = undefined;
    const result = await this.#transport.request('initialize', {
      protocolVersion: PROTOCOL_VERSIONS[0],
      capabilities: {},
      clientInfo: { name: this.#options.clientName ?? 'agentos', version: '0.1.0' },
    });
    const init = parseFromServer(initializeResultSchema, result, 'initialize result');
    if (!(PROTOCOL_VERSIONS as readonly string[]).includes(init.protocolVersion)) {
      await this.#transport.close();
      throw new AgentOsError('unsupported-feature', `The MCP server ${init.serverInfo.name} speaks protocol ${init.protocolVersion}; this client speaks ${PROTOCOL_VERSIONS.join(', ')}.`, {
        details: { offered: PROTOCOL_VERSIONS[0], answered: init.protocolVersion },
      });
    }
    if (!init.capabilities.tools) {
      throw new AgentOsError('unsupported-feature', `The MCP server ${init.serverInfo.name} offers no tools.`, { details: { server: init.serverInfo.name } });
    }
    this.#transport.protocolVersion = init.protocolVersion;
    await this.#transport.notify('notifications/initialized');
    this.#server = { name: init.serverInfo.name, version: init.serverInfo.version, protocolVersion: init.protocolVersion };
    return this.#server;
  }
}
