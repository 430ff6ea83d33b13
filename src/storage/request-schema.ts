import { z } from 'zod'
import { REQUEST_STATES, RIGHT_TYPES, type RightsRequest } from '../requests/model.js'

const iso = z.string().min(1)

/** Shape check for records read back from disk; unknown extra fields are tolerated for forward compatibility. */
const requestSchema = z.looseObject({
  id: z.string().min(1),
  kind: z.enum(['rights', 'inquiry']),
  type: z.enum(RIGHT_TYPES as [string, ...string[]]).optional(),
  state: z.enum(REQUEST_STATES as [string, ...string[]]),
  channel: z.string().min(1),
  userId: z.string().min(1),
  personal: z
    .looseObject({
      name: z.string().optional(),
      email: z.string().optional(),
      phone: z.string().optional(),
      company: z.string().optional(),
      details: z.record(z.string(), z.string()).optional(),
    })
    .nullable(),
  createdAt: iso,
  verifiedAt: iso.optional(),
  dueAt: iso.optional(),
  closedAt: iso.optional(),
  purgedAt: iso.optional(),
  replies: z.array(z.looseObject({ at: iso, by: z.string(), text: z.string().optional() })),
  audit: z.array(z.looseObject({ at: iso, actor: z.string(), action: z.string(), note: z.string().optional() })),
})

/** One month's shard file. Records are keyed by id so an update replaces one entry. */
export interface ShardData {
  version: 1
  requests: Record<string, RightsRequest>
}

const shardSchema = z.object({ version: z.literal(1), requests: z.record(z.string(), requestSchema) })

/** Validator for AtomicJsonFile: the whole shard, every record, and each key matching its record's id. */
export function isShardData(value: unknown): value is ShardData {
  const result = shardSchema.safeParse(value)
  if (!result.success) return false
  return Object.entries(result.data.requests).every(([key, r]) => key === r.id)
}
