import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
import tsconfig from './tsconfig.base.json';

// Path aliases come from tsconfig.base.json so that tests, the build and the type checker agree.
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, resolve(__dirname, target)]),
);

export default defineConfig({
  // SWC instead of esbuild because NestJS dependency injection needs emitDecoratorMetadata.
  plugins: [swc.vite({ jsc: { target: 'es2022', transform: { legacyDecorator: true, decoratorMetadata: true } } })],
  resolve: { alias },
  test: {
    include: ['libs/*/src/**/*.spec.ts', 'libs/*/test/**/*.spec.ts', 'services/*/src/**/*.spec.ts', 'services/*/test/**/*.spec.ts', 'tools/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
