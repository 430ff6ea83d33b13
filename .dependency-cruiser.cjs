/**
 * The layering of src/, checked by `npm test` (`npm run check:layers`):
 *   doors (channels, http, cli, console) → assistant → ports;  storage, outbox, schedule implement ports.
 */
/** The assistant's ports: modules of interfaces and types only. */
const PORTS = '^src/assistant/(types|stores|notifier|unanswered)\\.ts$'

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Import cycles hide the order things are built in.', from: {}, to: { circular: true } },
    {
      name: 'channels-are-separate',
      severity: 'error',
      comment: 'A channel never imports another channel: what they share lives in a neutral module.',
      from: { path: '^src/channels/([^/]+)/' },
      to: { path: '^src/channels/', pathNot: '^src/channels/$1/' },
    },
    {
      name: 'assistant-knows-no-adapters',
      severity: 'error',
      comment: 'The assistant is channel-agnostic: no channel, HTTP, storage, outbox or scheduler code.',
      from: { path: '^src/assistant/' },
      to: { path: '^src/(channels|http|storage|outbox|schedule|cli)/' },
    },
    {
      name: 'requests-import-nothing-above',
      severity: 'error',
      comment: 'The request model is the bottom layer.',
      from: { path: '^src/requests/' },
      to: { path: '^src/(assistant|channels|http|storage|outbox|schedule|cli|policy)/' },
    },
    {
      name: 'adapters-take-only-ports',
      severity: 'error',
      comment: 'Storage, the outbox and the scheduler implement the assistant\'s ports (its interface-only modules); they never import its code.',
      from: { path: '^src/(storage|outbox|schedule)/' },
      to: { path: '^src/assistant/', pathNot: PORTS },
    },
    {
      name: 'console-is-a-door',
      severity: 'error',
      comment: 'The staff console is a door like the channels: only the wiring (compose.ts, main.ts) knows it.',
      from: { path: '^src/', pathNot: ['^src/console/', '^src/(compose|main)\\.ts$'] },
      to: { path: '^src/console/' },
    },
    {
      name: 'console-takes-adapters-through-ports',
      severity: 'error',
      comment: 'The console reaches storage, the outbox and the scheduler only through what the wiring hands it, and never a channel.',
      from: { path: '^src/console/' },
      to: { path: '^src/(channels|storage|outbox|schedule|cli|http)/' },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      comment: 'A port module declares types only, so importing it brings no assistant code along.',
      from: { path: PORTS },
      to: { path: '^src/', pathNot: [PORTS, '^src/requests/model\\.ts$', '^src/lang\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: 'specify',
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
