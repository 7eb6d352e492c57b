/**
 * `agentos agent start|status|approve|pause|resume|terminate|export|import`:
 * durable agents on an embedded SQLite database. The implementation is the
 * Node host's (@agentos/node), loaded only when this command runs.
 */
import { usageError, type CliIo, type Command } from './command.ts';

const USAGE = `Usage: agentos agent <command> [options]

Durable agents: every capability call is journaled in an embedded SQLite
database, so an agent survives restarts and crashes and resumes by replay.

  start <agent.wasm|type> --goal <text>   start an agent and run it until it ends or waits
        [--budget fuel=N,tokens=N,wallMs=N,calls=N] [--policy <file.json>]
        [--tool <name>=<tool.wasm>]...     tools the agent may call (kept in the database)
        [--type <name>]                    type name (default: the file name)
  status [<id>]                            agents, their state and pending approvals
  approve <id> <request-id> --as <who> [--role <role>] [--deny]
                                           decide an approval; the agent continues here
  pause <id> | resume <id> | terminate <id>
  export <id> -o <file>                    a signed bundle of the agent (record, journal, components)
  import <file> [--trust <public-key>]...  restore an exported agent and run it

Options for every command:
  --db <path>          the database; default .agentos/agentos.db
  --synchronous <m>    full (default: fsync each commit, survives power loss) or normal (survives process crashes)
  --json               print one JSON object
`;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args.length === 0) throw usageError("expected a subcommand; run 'agentos agent --help'");
    const { agentCommand } = await import('@agentos/node');
    return agentCommand(args, io);
  },
};
