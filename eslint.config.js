// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'loadtest/results/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        __ENV: 'readonly',
        __VU: 'readonly',
        __ITER: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The request path: an object literal's getter is a new closure per request, and V8 gives each
    // such object its own hidden class, which kept whole requests alive until the next full GC
    // (gateway/upstream/exchangeContext.ts). Use a class getter or one shared accessor there.
    files: ['gateway/core/**', 'gateway/proxy/**', 'gateway/routes/**', 'gateway/upstream/**'],
    ignores: ['**/*.test.ts', '**/*.e2e.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > Property[kind=/^(get|set)$/]',
          message:
            'No getters or setters in object literals on the request path: each object would get its own hidden class (see gateway/upstream/exchangeContext.ts).',
        },
      ],
    },
  },
  {
    // CLIs, benchmarks and k6 scripts print to the terminal on purpose.
    files: ['gateway/cli/**', 'gateway/bin/**', 'loadtest/**', 'services/*/cli/**'],
    rules: { 'no-console': 'off' },
  },
);
