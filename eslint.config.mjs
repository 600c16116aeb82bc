import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const deepImports = { group: ['@mailbus/*/*'], message: 'import a lib through its index (@mailbus/<lib>)' };

// Services may import libs, never each other; libs only what lies below them (STYLE rule 2).
const moduleBoundaries = (allow) => ({
  enforceBuildableLibDependency: false,
  allow,
  depConstraints: [
    { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:infra', 'type:data-access', 'type:util', 'type:contracts', 'type:feature', 'type:testing'] },
    { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:infra', 'type:data-access', 'type:util', 'type:contracts'] },
    { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:data-access', 'type:util', 'type:contracts'] },
    { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:testing'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api'] },
    { sourceTag: 'scope:account-registry', onlyDependOnLibsWithTags: ['scope:shared', 'scope:account-registry'] },
    { sourceTag: 'scope:fetcher', onlyDependOnLibsWithTags: ['scope:shared', 'scope:fetcher'] },
    { sourceTag: 'scope:message-router', onlyDependOnLibsWithTags: ['scope:shared', 'scope:message-router'] },
    { sourceTag: 'scope:smtp-sender', onlyDependOnLibsWithTags: ['scope:shared', 'scope:smtp-sender'] },
    { sourceTag: 'scope:spam-feedback', onlyDependOnLibsWithTags: ['scope:shared', 'scope:spam-feedback'] },
  ],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', 'dist.*/**', '.nx/**', 'libs/contracts/src/gen/**', 'deploy/**', 'libs/mime/test/fixtures/corpus/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts', '**/*.mts'],
    plugins: { '@nx': nx },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }], '@nx/enforce-module-boundaries': ['error', moduleBoundaries([])] },
  },
  {
    // Deep imports into a lib bypass its public surface (STYLE rule 1).
    files: ['**/*.ts', '**/*.mts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImports] }] },
  },
  {
    // type:testing is only for tests and the dev tools that run the local stack.
    files: ['services/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: '@mailbus/testing', message: 'test-only library: import it from tests, not from production code' }], patterns: [deepImports] }] },
  },
  {
    // Tests of any project may use the shared test stack.
    files: ['**/test/**/*.ts', '**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries(['@mailbus/testing'])] },
  },
  {
    // Workspace-level tests check that deploy files stay in step with every service's configuration.
    files: ['tools/**/*.spec.ts', 'tools/deploy/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } } },
);
