#!/usr/bin/env node
/**
 * The TypeScript types of the REST API, generated from the OpenAPI document the server
 * ships (`jupyter_secrets/server/openapi.yaml`) into `src/apiSchema.ts`, so that they cannot
 * drift.
 *
 *   node scripts/api-types.js          # (re)write src/apiSchema.ts
 *   node scripts/api-types.js --check  # exit 1 when src/apiSchema.ts is not up to date
 *
 * `jlpm test` runs the same check (src/__tests__/apiSchema.spec.ts).
 */
const fs = require('fs');
const path = require('path');

const PACKAGE = path.resolve(__dirname, '..', '..', 'jupyter_secrets');
// Where the server package keeps it (the first that exists).
const SPEC = [
  path.join(PACKAGE, 'server', 'openapi.yaml'),
  path.join(PACKAGE, 'openapi.yaml')
].find(p => fs.existsSync(p));
const OUTPUT = path.resolve(__dirname, '..', 'src', 'apiSchema.ts');
const HEADER = `/**
 * GENERATED from the server's openapi.yaml by scripts/api-types.js: do not edit.
 * Run \`jlpm api-types\` after changing the OpenAPI document; \`jlpm test\` fails until then.
 */
/* eslint-disable */
`;

/** The text `src/apiSchema.ts` must hold. */
async function generate() {
  if (!SPEC) {
    throw new Error(`no openapi.yaml under ${PACKAGE}`);
  }
  const { default: openapiTS, astToString } = require('openapi-typescript');
  const ast = await openapiTS(fs.readFileSync(SPEC, 'utf8'), {
    alphabetize: false,
    exportType: false
  });
  return HEADER + astToString(ast);
}

module.exports = { generate, OUTPUT, SPEC };

if (require.main === module) {
  generate().then(
    text => {
      const current = fs.existsSync(OUTPUT) ? fs.readFileSync(OUTPUT, 'utf8') : null;
      if (process.argv.includes('--check')) {
        if (current !== text) {
          console.error(`${OUTPUT} is out of date: run jlpm api-types`);
          process.exit(1);
        }
        return;
      }
      if (current !== text) {
        fs.writeFileSync(OUTPUT, text);
      }
      console.log(`${path.relative(process.cwd(), OUTPUT)} is up to date`);
    },
    error => {
      console.error(error);
      process.exit(2);
    }
  );
}
