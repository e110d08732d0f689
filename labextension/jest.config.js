/**
 * Unit tests of the data layer (`*.spec.ts`: API client, error mapping, model, helpers) and
 * component tests of the views (`*.spec.tsx`, under jsdom with React Testing Library).
 * JupyterLab's UI packages are stood in for by `src/__tests__/mocks/` (they ship ES modules
 * and need a full page); the model, the client and the views are the real ones.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts', '**/__tests__/**/*.spec.tsx'],
  moduleNameMapper: {
    '^@jupyterlab/apputils$': '<rootDir>/src/__tests__/mocks/apputils.tsx',
    '^@jupyterlab/ui-components$': '<rootDir>/src/__tests__/mocks/ui-components.tsx'
  },
  setupFiles: ['<rootDir>/src/__tests__/mocks/jsdom.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  }
};
