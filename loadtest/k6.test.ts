// k6 cannot run here, so this keeps the k6 suites honest statically: every .js file under
// loadtest/k6 must parse as an ES module (V8's own parser, through `node --check`), import only
// modules k6 provides (and only names they export) or relative files that exist, and every
// top-level script must declare scenarios whose `exec` functions exist and the SLA thresholds.
// The TestRun manifest must name a script that exists and split its VUs evenly.
//
// The same analysis runs against deliberately broken copies of the suite, to prove each check
// can fail.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';

const SUITE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'k6');
const EXPECTED_SCRIPTS = ['100k.js', 'load.js', 'smoke.js', 'soak.js', 'spike.js', 'stress.js'];
const TESTRUN_MANIFEST = '100k-testrun.yaml';

// What k6 itself provides. `members` are the properties of the default export.
const K6_MODULES: Record<string, { named: readonly string[]; members?: readonly string[] }> = {
  k6: { named: ['check', 'fail', 'group', 'randomSeed', 'sleep'] },
  'k6/http': {
    named: [
      'asyncRequest',
      'batch',
      'cookieJar',
      'CookieJar',
      'del',
      'expectedStatuses',
      'file',
      'get',
      'head',
      'options',
      'patch',
      'post',
      'put',
      'request',
      'setResponseCallback',
      'url',
    ],
    members: [
      'asyncRequest',
      'batch',
      'cookieJar',
      'CookieJar',
      'del',
      'expectedStatuses',
      'file',
      'get',
      'head',
      'options',
      'patch',
      'post',
      'put',
      'request',
      'setResponseCallback',
      'url',
    ],
  },
  'k6/metrics': { named: ['Counter', 'Gauge', 'Rate', 'Trend'] },
  'k6/execution': { named: [], members: ['instance', 'scenario', 'test', 'vu'] },
  'k6/data': { named: ['SharedArray'] },
  'k6/ws': { named: ['connect'], members: ['connect'] },
  'k6/encoding': { named: ['b64decode', 'b64encode'], members: ['b64decode', 'b64encode'] },
  'k6/crypto': {
    named: [
      'createHash',
      'createHMAC',
      'hmac',
      'md4',
      'md5',
      'randomBytes',
      'ripemd160',
      'sha1',
      'sha256',
      'sha384',
      'sha512',
      'sha512_224',
      'sha512_256',
    ],
  },
};

// Keys each executor cannot run without (values may come from env vars, so only presence is checked).
const EXECUTOR_REQUIRED_KEYS: Record<string, readonly string[]> = {
  'shared-iterations': ['vus', 'iterations'],
  'per-vu-iterations': ['vus', 'iterations'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['stages'],
  'constant-arrival-rate': ['rate', 'duration', 'preAllocatedVUs'],
  'ramping-arrival-rate': ['stages', 'preAllocatedVUs'],
  'externally-controlled': ['vus', 'duration'],
};

// The seeds: p95 < 250 ms, errors < 0.1%; checks > 99.9%. A stricter bound also passes.
const REQUIRED_THRESHOLDS: Record<string, { pattern: RegExp; holds: (bound: number) => boolean }> = {
  http_req_duration: { pattern: /^p\(95\)\s*<\s*(\d+(?:\.\d+)?)$/, holds: (bound) => bound <= 250 },
  http_req_failed: { pattern: /^rate\s*<\s*(\d+(?:\.\d+)?)$/, holds: (bound) => bound <= 0.001 },
  checks: { pattern: /^rate\s*>\s*(\d+(?:\.\d+)?)$/, holds: (bound) => bound >= 0.999 },
};

const ENV_READERS = new Set(['envBool', 'envDuration', 'envInt', 'envNumber', 'envRatio', 'envString']);

/** A value the static evaluator cannot know (an env var, a function call). */
const UNKNOWN = Symbol('unknown');
type Value = string | number | boolean | null | typeof UNKNOWN | Value[] | { [key: string]: Value };

function isRecord(value: Value | undefined): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type ImportBinding = { specifier: string; imported: string }; // imported: a name, or 'default'

type ModuleInfo = {
  path: string;
  source: ts.SourceFile;
  imports: Map<string, ImportBinding>; // by local name
  exports: Map<string, ts.Node>; // exported name -> declaration (or re-export specifier)
  topLevelConsts: Map<string, ts.Expression>;
};

function hasModifier(statement: ts.Statement, kind: ts.SyntaxKind): boolean {
  return (
    ts.canHaveModifiers(statement) &&
    (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === kind)
  );
}

class SuiteAnalysis {
  private readonly modules = new Map<string, ModuleInfo>();

  constructor(private readonly root: string) {}

  module(path: string): ModuleInfo {
    const known = this.modules.get(path);
    if (known) return known;
    const source = ts.createSourceFile(
      path,
      readFileSync(path, 'utf8'),
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.JS,
    );
    const info: ModuleInfo = {
      path,
      source,
      imports: new Map(),
      exports: new Map(),
      topLevelConsts: new Map(),
    };
    for (const statement of source.statements) {
      const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
      const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const specifier = statement.moduleSpecifier.text;
        const clause = statement.importClause;
        if (clause?.name) info.imports.set(clause.name.text, { specifier, imported: 'default' });
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            info.imports.set(element.name.text, {
              specifier,
              imported: (element.propertyName ?? element.name).text,
            });
          }
        } else if (bindings && ts.isNamespaceImport(bindings)) {
          info.imports.set(bindings.name.text, { specifier, imported: '*' });
        }
      } else if (ts.isFunctionDeclaration(statement) && exported) {
        info.exports.set(isDefault ? 'default' : (statement.name?.text ?? 'default'), statement);
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
          if (statement.declarationList.flags & ts.NodeFlags.Const) {
            info.topLevelConsts.set(declaration.name.text, declaration.initializer);
          }
          if (exported) info.exports.set(declaration.name.text, declaration);
        }
      } else if (
        ts.isExportDeclaration(statement) &&
        statement.exportClause &&
        ts.isNamedExports(statement.exportClause)
      ) {
        for (const element of statement.exportClause.elements) info.exports.set(element.name.text, element);
      } else if (ts.isExportAssignment(statement)) {
        info.exports.set('default', statement);
      }
    }
    this.modules.set(path, info);
    return info;
  }

  resolveRelative(fromPath: string, specifier: string): string {
    return resolve(dirname(fromPath), specifier);
  }

  /** Problems with one file's syntax and imports. */
  importProblems(path: string): string[] {
    const name = relative(this.root, path);
    const problems: string[] = [];
    const info = this.module(path);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        if (node.expression.kind === ts.SyntaxKind.ImportKeyword) problems.push(`${name}: dynamic import()`);
        if (ts.isIdentifier(node.expression) && node.expression.text === 'require')
          problems.push(`${name}: require()`);
      }
      ts.forEachChild(node, visit);
    };
    visit(info.source);

    for (const statement of info.source.statements) {
      const specifierNode =
        ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)
          ? statement.moduleSpecifier
          : undefined;
      if (!specifierNode || !ts.isStringLiteral(specifierNode)) continue;
      const specifier = specifierNode.text;
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        const target = this.resolveRelative(path, specifier);
        if (!specifier.endsWith('.js'))
          problems.push(`${name}: relative import ${specifier} needs its .js extension`);
        else if (!existsSync(target)) problems.push(`${name}: imports ${specifier}, which does not exist`);
        else if (relative(this.root, target).startsWith('..'))
          problems.push(`${name}: imports ${specifier} from outside loadtest/k6`);
      } else if (!K6_MODULES[specifier]) {
        problems.push(`${name}: imports ${specifier}, which is neither a k6 module nor a relative file`);
      }
    }

    for (const [local, binding] of info.imports) {
      problems.push(...this.bindingProblems(name, path, local, binding));
    }
    return problems;
  }

  private bindingProblems(name: string, path: string, local: string, binding: ImportBinding): string[] {
    const k6Module = K6_MODULES[binding.specifier];
    if (k6Module) {
      if (binding.imported === 'default' || binding.imported === '*') {
        if (!k6Module.members) return [`${name}: ${binding.specifier} has no default export`];
        return this.memberAccesses(path, local)
          .filter((member) => !k6Module.members?.includes(member))
          .map((member) => `${name}: ${local}.${member} is not part of ${binding.specifier}`);
      }
      return k6Module.named.includes(binding.imported)
        ? []
        : [`${name}: ${binding.specifier} exports no ${binding.imported}`];
    }
    const target = this.resolveRelative(path, binding.specifier);
    if (!existsSync(target) || binding.imported === '*') return [];
    return this.module(target).exports.has(binding.imported)
      ? []
      : [`${name}: ${binding.specifier} exports no ${binding.imported}`];
  }

  private memberAccesses(path: string, local: string): string[] {
    const members: string[] = [];
    const visit = (node: ts.Node): void => {
      if (
        ts.isPropertyAccessExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === local
      ) {
        members.push(node.name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(this.module(path).source);
    return members;
  }

  /** Statically evaluates what it can of an expression: literals, objects, spreads, constants. */
  evaluate(path: string, node: ts.Expression): Value {
    if (ts.isParenthesizedExpression(node)) return this.evaluate(path, node.expression);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (node.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isArrayLiteralExpression(node)) {
      return node.elements.map((element) =>
        ts.isSpreadElement(element) ? UNKNOWN : this.evaluate(path, element),
      );
    }
    if (ts.isObjectLiteralExpression(node)) {
      const result: { [key: string]: Value } = {};
      for (const property of node.properties) {
        if (ts.isSpreadAssignment(property)) {
          const spread = this.evaluate(path, property.expression);
          if (isRecord(spread)) Object.assign(result, spread);
        } else if (ts.isPropertyAssignment(property)) {
          const key =
            ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)
              ? property.name.text
              : undefined;
          if (key !== undefined) result[key] = this.evaluate(path, property.initializer);
        } else if (ts.isShorthandPropertyAssignment(property)) {
          result[property.name.text] = this.evaluate(path, property.name);
        }
      }
      return result;
    }
    if (ts.isIdentifier(node)) {
      const info = this.module(path);
      const constant = info.topLevelConsts.get(node.text);
      if (constant) return this.evaluate(path, constant);
      const binding = info.imports.get(node.text);
      if (binding && binding.specifier.startsWith('.')) {
        const target = this.resolveRelative(path, binding.specifier);
        const targetConstant = existsSync(target)
          ? this.module(target).topLevelConsts.get(binding.imported)
          : undefined;
        if (targetConstant) return this.evaluate(target, targetConstant);
      }
    }
    return UNKNOWN;
  }

  /** Problems with a top-level script's options, scenarios, exec functions and thresholds. */
  scriptProblems(path: string): string[] {
    const name = relative(this.root, path);
    const info = this.module(path);
    const problems: string[] = [];
    const exportedFunction = (exportName: string): boolean => {
      const declaration = info.exports.get(exportName);
      if (!declaration) return false;
      if (ts.isFunctionDeclaration(declaration)) return true;
      return (
        ts.isVariableDeclaration(declaration) &&
        declaration.initializer !== undefined &&
        (ts.isArrowFunction(declaration.initializer) || ts.isFunctionExpression(declaration.initializer))
      );
    };

    const optionsDeclaration = info.exports.get('options');
    if (
      !optionsDeclaration ||
      !ts.isVariableDeclaration(optionsDeclaration) ||
      !optionsDeclaration.initializer
    ) {
      return [`${name}: exports no options`];
    }
    const options = this.evaluate(path, optionsDeclaration.initializer);
    if (!isRecord(options)) return [`${name}: options is not an object literal`];

    const scenarios = options.scenarios;
    if (scenarios === undefined) {
      if (!exportedFunction('default')) problems.push(`${name}: no scenarios and no default function`);
    } else if (!isRecord(scenarios) || Object.keys(scenarios).length === 0) {
      problems.push(`${name}: options.scenarios is not a non-empty object literal`);
    } else {
      for (const [scenarioName, scenario] of Object.entries(scenarios)) {
        if (!isRecord(scenario)) {
          problems.push(`${name}: scenario ${scenarioName} is not an object literal`);
          continue;
        }
        const executor = scenario.executor;
        const requiredKeys = typeof executor === 'string' ? EXECUTOR_REQUIRED_KEYS[executor] : undefined;
        if (!requiredKeys) {
          problems.push(`${name}: scenario ${scenarioName} has unknown executor ${String(executor)}`);
        } else {
          for (const key of requiredKeys.filter((key) => !(key in scenario))) {
            problems.push(`${name}: scenario ${scenarioName} (${String(executor)}) lacks ${key}`);
          }
        }
        const exec = scenario.exec ?? 'default';
        if (typeof exec !== 'string')
          problems.push(`${name}: scenario ${scenarioName} has a non-literal exec`);
        else if (!exportedFunction(exec))
          problems.push(`${name}: scenario ${scenarioName} runs ${exec}, which is not an exported function`);
      }
    }

    const thresholds = options.thresholds;
    if (!isRecord(thresholds)) return [...problems, `${name}: options.thresholds is not an object literal`];
    for (const [metric, requirement] of Object.entries(REQUIRED_THRESHOLDS)) {
      const entries = thresholds[metric];
      const expressions = (Array.isArray(entries) ? entries : []).map((entry) =>
        isRecord(entry) ? entry.threshold : entry,
      );
      const met = expressions.some((expression) => {
        const match = typeof expression === 'string' ? requirement.pattern.exec(expression) : null;
        return match !== null && requirement.holds(Number(match[1]));
      });
      if (!met)
        problems.push(`${name}: thresholds.${metric} lacks the seed bound (${requirement.pattern.source})`);
    }
    return problems;
  }

  /** Names of env vars read through lib/config.js's readers, with their literal defaults. */
  envReads(path: string): Array<{ name: string; fallback: Value }> {
    const reads: Array<{ name: string; fallback: Value }> = [];
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        ENV_READERS.has(node.expression.text)
      ) {
        const [nameArgument, fallbackArgument] = node.arguments;
        if (nameArgument && ts.isStringLiteral(nameArgument)) {
          reads.push({
            name: nameArgument.text,
            fallback: fallbackArgument ? this.evaluate(path, fallbackArgument) : UNKNOWN,
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(this.module(path).source);
    return reads;
  }
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

function topLevelScripts(root: string): string[] {
  return readdirSync(root)
    .filter((file) => file.endsWith('.js'))
    .map((file) => join(root, file));
}

// Whether a source parses depends on its text alone: the broken copies re-parse only what changed.
const syntaxErrorsBySource = new Map<string, string | null>();

/** V8's parser, as an ES module: the root package.json (or the copy's) says "type": "module". */
function syntaxProblem(root: string, path: string): string | null {
  const source = readFileSync(path, 'utf8');
  if (!syntaxErrorsBySource.has(source)) {
    try {
      execFileSync(process.execPath, ['--check', path], { stdio: 'pipe' });
      syntaxErrorsBySource.set(source, null);
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      syntaxErrorsBySource.set(source, stderr.split('\n').find((line) => /Error/.test(line)) ?? stderr);
    }
  }
  const syntaxError = syntaxErrorsBySource.get(source);
  return syntaxError ? `${relative(root, path)}: ${syntaxError}` : null;
}

function manifestProblems(root: string, analysis: SuiteAnalysis): string[] {
  const manifest: unknown = parseYaml(readFileSync(join(root, TESTRUN_MANIFEST), 'utf8'));
  const spec = (manifest as { spec?: Record<string, unknown> } | null)?.spec;
  const problems: string[] = [];
  const header = manifest as { apiVersion?: unknown; kind?: unknown };
  if (header.apiVersion !== 'k6.io/v1alpha1') problems.push(`apiVersion is ${String(header.apiVersion)}`);
  if (header.kind !== 'TestRun') problems.push(`kind is ${String(header.kind)}`);
  const parallelism = spec?.parallelism;
  if (typeof parallelism !== 'number' || !Number.isInteger(parallelism) || parallelism < 1) {
    return [...problems, `spec.parallelism is not a positive integer: ${String(parallelism)}`];
  }
  const configMap = (spec?.script as { configMap?: { name?: unknown; file?: unknown } } | undefined)
    ?.configMap;
  if (typeof configMap?.name !== 'string') problems.push('spec.script.configMap.name is missing');
  const file = configMap?.file;
  // A k6 archive (needed because ConfigMap keys cannot hold lib/) is named after its script.
  const scriptName = typeof file === 'string' ? file.replace(/\.tar$/, '.js') : undefined;
  const scriptPath = scriptName ? join(root, scriptName) : undefined;
  if (!scriptPath || !scriptName?.endsWith('.js') || !existsSync(scriptPath)) {
    return [...problems, `spec.script.configMap.file ${String(file)} names no script in loadtest/k6`];
  }
  const resources = (spec?.runner as { resources?: { requests?: unknown; limits?: unknown } } | undefined)
    ?.resources;
  if (!resources?.requests || !resources.limits)
    problems.push('spec.runner.resources needs requests and limits');
  const vus = analysis.envReads(scriptPath).find((read) => read.name === 'VUS')?.fallback;
  if (typeof vus !== 'number' || vus % parallelism !== 0) {
    problems.push(
      `${basename(scriptPath)}'s default VUS (${String(vus)}) does not split evenly over ${parallelism} runners`,
    );
  }
  return problems;
}

function analyzeSuite(root: string): string[] {
  const analysis = new SuiteAnalysis(root);
  const files = jsFiles(root);
  const syntax = files.map((path) => syntaxProblem(root, path)).filter((problem) => problem !== null);
  // A file that does not parse yields no trustworthy AST: report its syntax and stop there.
  if (syntax.length > 0) return syntax;
  const missing = EXPECTED_SCRIPTS.filter((script) => !existsSync(join(root, script))).map(
    (script) => `${script} is missing`,
  );
  return [
    ...missing,
    ...files.flatMap((path) => analysis.importProblems(path)),
    ...topLevelScripts(root).flatMap((path) => analysis.scriptProblems(path)),
    ...manifestProblems(root, analysis),
  ];
}

describe('k6 suites (loadtest/k6)', () => {
  it('parse, import only what k6 provides, and declare scenarios, exec functions and SLA thresholds', () => {
    expect(analyzeSuite(SUITE_DIR)).toEqual([]);
  });

  it('document every env var they read in the README', () => {
    const analysis = new SuiteAnalysis(SUITE_DIR);
    const readme = readFileSync(join(SUITE_DIR, 'README.md'), 'utf8');
    const names = new Set(
      jsFiles(SUITE_DIR).flatMap((path) => analysis.envReads(path).map((read) => read.name)),
    );
    expect(names.size).toBeGreaterThan(0);
    expect([...names].filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  describe('the analysis fails a broken copy', () => {
    let copy: string | undefined;
    afterEach(() => {
      if (copy) rmSync(copy, { recursive: true, force: true });
      copy = undefined;
    });

    function brokenCopy(file: string, edit: (source: string) => string): string {
      copy = mkdtempSync(join(tmpdir(), 'portico-k6-'));
      cpSync(SUITE_DIR, copy, { recursive: true });
      // Outside the repo nothing says "type": "module"; the copy needs it to parse as ESM too.
      writeFileSync(join(copy, 'package.json'), '{ "type": "module" }\n');
      const path = join(copy, file);
      const source = readFileSync(path, 'utf8');
      const edited = edit(source);
      expect(edited).not.toBe(source);
      writeFileSync(path, edited);
      return copy;
    }

    it.each([
      [
        'a syntax error',
        'lib/journeys.js',
        (s: string) =>
          s.replace(
            'export function anonymousBrowse(settings) {',
            'export function anonymousBrowse(settings) {{',
          ),
        /journeys\.js: .*SyntaxError/,
      ],
      [
        'a redeclared constant (an early error)',
        'smoke.js',
        (s: string) => s.replace('const POOL =', 'const POOL = 1;\nconst POOL ='),
        /smoke\.js: .*SyntaxError/,
      ],
      [
        'an npm import',
        'load.js',
        (s: string) => `import lodash from 'lodash';\n${s}`,
        /imports lodash, which is neither/,
      ],
      [
        'a missing lib file',
        'soak.js',
        (s: string) => s.replace("'./lib/journeys.js'", "'./lib/journey.js'"),
        /imports \.\/lib\/journey\.js, which does not exist/,
      ],
      [
        'an import without extension',
        'soak.js',
        (s: string) => s.replace("'./lib/journeys.js'", "'./lib/journeys'"),
        /needs its \.js extension/,
      ],
      [
        'a name k6 does not export',
        'lib/journeys.js',
        (s: string) =>
          s.replace("import { SharedArray } from 'k6/data';", "import { SharedList } from 'k6/data';"),
        /k6\/data exports no SharedList/,
      ],
      [
        'a k6/http function that does not exist',
        'lib/auth.js',
        (s: string) => s.replace('http.expectedStatuses(201, 409)', 'http.expectStatuses(201, 409)'),
        /http\.expectStatuses is not part of k6\/http/,
      ],
      [
        'a name a lib file does not export',
        'spike.js',
        (s: string) => s.replace('import { studentJourney }', 'import { studentJourneys }'),
        /exports no studentJourneys/,
      ],
      [
        'a scenario exec without its export',
        'stress.js',
        (s: string) => s.replace('export function userJourney(data)', 'function userJourney(data)'),
        /runs userJourney, which is not an exported function/,
      ],
      [
        'an unknown executor',
        'spike.js',
        (s: string) => s.replace("'ramping-vus'", "'ramping-users'"),
        /unknown executor ramping-users/,
      ],
      [
        'a scenario missing a required key',
        'load.js',
        (s: string) => s.replace('preAllocatedVUs:', 'preallocatedVUs:'),
        /lacks preAllocatedVUs/,
      ],
      [
        'a loosened p95 threshold',
        'lib/thresholds.js',
        (s: string) => s.replace("http_req_duration: ['p(95)<250']", "http_req_duration: ['p(95)<500']"),
        /thresholds\.http_req_duration lacks/,
      ],
      [
        'a missing error-rate threshold',
        'lib/thresholds.js',
        (s: string) => s.replace("http_req_failed: ['rate<0.001'],", ''),
        /thresholds\.http_req_failed lacks/,
      ],
      [
        'a manifest naming no script',
        TESTRUN_MANIFEST,
        (s: string) => s.replace('file: 100k.tar', 'file: 200k.tar'),
        /names no script/,
      ],
      [
        'a parallelism that does not divide the VUs',
        TESTRUN_MANIFEST,
        (s: string) => s.replace('parallelism: 50', 'parallelism: 48'),
        /does not split evenly over 48 runners/,
      ],
    ])('with %s', (_what, file, edit, expected) => {
      const problems = analyzeSuite(brokenCopy(file, edit));
      expect(
        problems.some((problem) => expected.test(problem)),
        problems.join('\n'),
      ).toBe(true);
    });
  });
});
