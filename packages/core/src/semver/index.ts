/**
 * Semantic versions and npm-style ranges: one parser shared by tool manifests
 * (trust/) and the registry's range resolution (registry/), so a version the
 * signer accepts is exactly one the registry can resolve.
 */
export { compareVersions, maxSatisfying, parseRange, parseVersion, type Range, satisfies, type SemVer, tryParseVersion } from './semver.ts';
