import fc from 'fast-check'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/config.js'
import { loadPolicyStore } from '../../src/policy/store.js'
import { harness } from '../support/harness.js'

const policy = loadPolicyStore({ policyFile: path.join(PROJECT_ROOT, 'data/privacy-policy.en.txt'), lexiconFile: path.join(PROJECT_ROOT, 'data/lexicon.json') })

// Text people really send, plus the hostile kinds: emoji, right-to-left, control characters, huge.
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('删除', 'yes', '取消', '/list', 'status PR-20261129-ABCDEF', '申请', '人工', '更多', '1', '‮Delete my data‬', '\u0000\u0007\u001b[31m', '😀'.repeat(500)),
  fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 50 }).map((s) => s.repeat(2000)),
)

describe('the assistant with any input', () => {
  it('always answers with a defined reply within WeChat’s size limit, and never throws', async () => {
    const h = harness({ policy })
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'staff-openid'), text), { minLength: 1, maxLength: 8 }), async (turns) => {
        for (const [user, t] of turns) {
          const reply = await h.sendAs(user, t)
          expect(typeof reply).toBe('string')
          expect(reply.length).toBeGreaterThan(0)
          expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(2048)
          expect(reply).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/)
        }
      }),
      { numRuns: 150 },
    )
  }, 60_000)
})
