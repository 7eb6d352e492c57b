/**
 * Node-only pieces of the sandbox: what needs the file system, child
 * processes or native addons. Hosts without Node (workerd, browsers) never
 * import this entry point.
 */
export { buildComponent, type BuildComponentOptions, type BuiltComponent } from './componentize.ts';
export { inspectComponent, type ComponentReport, type CoreModuleReport } from './inspect.ts';
export { tempFileGlueLoader } from './glue-loader.ts';
