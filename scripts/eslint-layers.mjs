// The engine's layers, as an ESLint rule: each folder of shared/ imports only the folders before it
// in ENGINE, and only through their index; hosts reach shared/ through indexes too. Tests and
// benchmarks may reach anywhere.
import { dirname, relative, resolve, sep } from 'node:path';

/** Bottom to top: a folder may import only the folders before it. */
export const ENGINE = ['contract', 'config', 'tds', 'classify', 'probers', 'runner', 'idle', 'telemetry', 'state', 'app'];
/** What each host folder may import besides itself: the simulator speaks TDS (and the settings' duration syntax); the CLI starts the simulator. */
const HOSTS = {
  functions: { engine: ENGINE, hosts: [] },
  cli: { engine: ENGINE, hosts: ['sim'] },
  sim: { engine: ['config', 'tds'], hosts: [] },
};
const ORDER = ENGINE.join(' → ');
/**
 * Files a host may import around their folder's index: they load no package, so the Functions entry
 * registers its triggers (reading their schedules) without loading the engine on every cold start.
 */
const LIGHT_ENTRIES = ['shared/config/schedule.ts'];

/** Which folder a repo-relative path belongs to: an engine layer, a host, or neither (tests, package.json …). */
function placeOf(path) {
  const parts = path.split(sep);
  if (parts[0] === 'shared' && ENGINE.includes(parts[1])) {
    const rest = parts.slice(2);
    const light = LIGHT_ENTRIES.some((entry) => entry === path || entry === `${path}.ts`);
    return { kind: 'engine', name: parts[1], index: rest.length === 0 || (rest.length === 1 && /^index(\.ts)?$/.test(rest[0])), light };
  }
  if (parts[0] in HOSTS) return { kind: 'host', name: parts[0] };
  return undefined;
}

function problem(from, to) {
  if (!from || !to || (from.kind === to.kind && from.name === to.name)) return undefined;
  if (from.kind === 'engine') {
    if (to.kind === 'host') return `shared/${from.name} may not import ${to.name}/: the engine knows nothing of its hosts`;
    if (ENGINE.indexOf(to.name) > ENGINE.indexOf(from.name)) {
      return `shared/${from.name} may not import shared/${to.name}, a layer above it (${ORDER}); move what both need down, or invert the dependency`;
    }
  } else {
    const allowed = HOSTS[from.name];
    if (to.kind === 'host' && !allowed.hosts.includes(to.name)) return `${from.name}/ may not import ${to.name}/`;
    if (to.kind === 'engine' && !allowed.engine.includes(to.name)) return `${from.name}/ may not import shared/${to.name}; it may use ${allowed.engine.map((e) => `shared/${e}`).join(', ')}`;
  }
  if (to.kind === 'engine' && !to.index && !(from.kind === 'host' && to.light)) return `import shared/${to.name} through its index (the folder itself), not one of its files: the index is its public surface`;
  return undefined;
}

const rule = {
  meta: { type: 'problem', docs: { description: 'imports follow the engine layers and go through each folder\'s index' }, schema: [] },
  create(context) {
    const root = context.cwd ?? process.cwd();
    const file = relative(root, context.filename ?? context.getFilename());
    const from = placeOf(file);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = placeOf(relative(root, resolve(dirname(resolve(root, file)), source)));
      const message = problem(from, to);
      if (message) context.report({ node, message });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { imports: rule } };
