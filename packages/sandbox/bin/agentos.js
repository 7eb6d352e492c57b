#!/usr/bin/env node
// The `agentos` executable. Node 24 strips the TypeScript types of the CLI
// (this file resolves to packages/sandbox through the workspace link, outside
// node_modules, where type stripping is allowed).
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
