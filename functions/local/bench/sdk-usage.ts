import path from 'node:path';

/**
 * Which SDK packages a process has loaded, from its `require.cache`: pure over the cache, so
 * the probe (in the child) and tests can share it.
 */
export const SDK_PACKAGES = [
  '@google-cloud/pubsub',
  '@google-cloud/firestore',
  'google-auth-library',
  'googleapis-common',
  'businessmessages',
  'googleapis',
] as const;

export interface SdkUse {
  package: string;
  /** Where it was loaded from, below the outermost node_modules (`google-gax/node_modules/…`). */
  copy: string;
  /** Required by the product's own code (not only by another package). */
  direct: boolean;
}

/** The package a module file belongs to and its copy path; undefined outside node_modules. */
export function packageOfFile(file: string): { name: string; copy: string } | undefined {
  const marker = `${path.sep}node_modules${path.sep}`;
  const first = file.indexOf(marker);
  if (first < 0) return undefined;
  const last = file.lastIndexOf(marker);
  const parts = file.slice(last + marker.length).split(path.sep);
  const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '');
  const copyStart = first + marker.length;
  const copy = file
    .slice(copyStart, last + marker.length + name.length)
    .split(path.sep)
    .join('/');
  return { name, copy };
}

/** SDK packages in `require.cache`, one entry per copy, sorted. */
export function loadedSdks(cache: NodeJS.Dict<NodeJS.Module> = require.cache): SdkUse[] {
  const sdks = new Set<string>(SDK_PACKAGES);
  const found = new Map<string, SdkUse>();
  for (const [file, mod] of Object.entries(cache)) {
    const pkg = packageOfFile(file);
    if (pkg && sdks.has(pkg.name) && !found.has(pkg.copy)) {
      found.set(pkg.copy, { package: pkg.name, copy: pkg.copy, direct: false });
    }
    // The product's own modules: which SDK copies do they require themselves?
    if (!pkg && mod) {
      for (const child of mod.children) {
        const c = packageOfFile(child.filename);
        if (c && sdks.has(c.name)) {
          found.set(c.copy, { package: c.name, copy: c.copy, direct: true });
        }
      }
    }
  }
  return [...found.values()].sort((a, b) => a.copy.localeCompare(b.copy));
}

/** The package a bare require specifier names (`@scope/name/sub` → `@scope/name`). */
export function packageOfSpecifier(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * The SDK packages a compiled module graph requires itself, found by walking `require("…")`
 * calls from `entry` through relative modules (type-only imports are gone after compiling).
 * `read` returns a file's text, or undefined when it does not exist.
 */
export function declaredSdks(entry: string, read: (file: string) => string | undefined): string[] {
  const sdks = new Set<string>(SDK_PACKAGES);
  const declared = new Set<string>();
  const seen = new Set<string>();
  const pending = [entry];
  const resolve = (from: string, specifier: string): string | undefined => {
    const base = path.resolve(path.dirname(from), specifier);
    for (const candidate of [base, `${base}.js`, path.join(base, 'index.js')]) {
      if (candidate.endsWith('.js') && read(candidate) !== undefined) return candidate;
    }
    return undefined;
  };
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = read(file);
    if (text === undefined) continue;
    for (const match of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) {
        const next = resolve(file, specifier);
        if (next) pending.push(next);
      } else {
        const pkg = packageOfSpecifier(specifier);
        if (sdks.has(pkg)) declared.add(pkg);
      }
    }
  }
  return [...declared].sort();
}
