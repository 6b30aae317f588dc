import path from 'node:path';
import {
  declaredSdks,
  loadedSdks,
  packageOfFile,
  packageOfSpecifier,
} from '../../functions/local/bench/sdk-usage';

describe('which SDKs a process loaded', () => {
  it('names the package and the copy a file belongs to', () => {
    expect(packageOfFile('/app/node_modules/@google-cloud/pubsub/build/src/index.js')).toEqual({
      name: '@google-cloud/pubsub',
      copy: '@google-cloud/pubsub',
    });
    expect(
      packageOfFile('/app/node_modules/google-gax/node_modules/google-auth-library/build/x.js'),
    ).toEqual({
      name: 'google-auth-library',
      copy: 'google-gax/node_modules/google-auth-library',
    });
    expect(packageOfFile('/app/dist/functions/webhook/index.js')).toBeUndefined();
  });

  it('names the package of a require specifier', () => {
    expect(packageOfSpecifier('@google-cloud/firestore/build/src/v1')).toBe(
      '@google-cloud/firestore',
    );
    expect(packageOfSpecifier('googleapis-common')).toBe('googleapis-common');
  });

  it('tells SDKs the product requires itself from those other packages pull in', () => {
    const mod = (filename: string, children: string[] = []) =>
      ({ filename, children: children.map((c) => ({ filename: c })) }) as unknown as NodeJS.Module;
    const pubsub = '/app/node_modules/@google-cloud/pubsub/build/src/index.js';
    const gaxAuth =
      '/app/node_modules/google-gax/node_modules/google-auth-library/build/src/index.js';
    const cache: NodeJS.Dict<NodeJS.Module> = {
      '/app/dist/functions/webhook/index.js': mod('/app/dist/functions/webhook/index.js', [pubsub]),
      [pubsub]: mod(pubsub),
      [gaxAuth]: mod(gaxAuth),
      '/app/node_modules/express/index.js': mod('/app/node_modules/express/index.js'),
    };
    expect(loadedSdks(cache)).toEqual([
      { package: '@google-cloud/pubsub', copy: '@google-cloud/pubsub', direct: true },
      {
        package: 'google-auth-library',
        copy: 'google-gax/node_modules/google-auth-library',
        direct: false,
      },
    ]);
  });

  it('finds the SDKs a compiled module graph requires, through relative modules only', () => {
    const root = path.resolve('/app/dist/functions');
    const files: Record<string, string> = {
      [path.join(root, 'webhook/index.js')]:
        'const ff = require("@google-cloud/functions-framework");\nconst bus = require("../adapters/bus");',
      [path.join(root, 'adapters/bus.js')]:
        'const pubsub_1 = require("@google-cloud/pubsub");\nconst again = require("./bus");',
    };
    expect(declaredSdks(path.join(root, 'webhook/index.js'), (f) => files[f])).toEqual([
      '@google-cloud/pubsub',
    ]);
  });
});
