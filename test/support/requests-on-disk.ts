import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

export interface StoredRequest {
  id: string
  userId: string
  personal: { name?: string; email?: string } | null
}

/**
 * Every request in DATA_DIR, read straight from the files (which must all parse): the shards, then
 * the journal's lines over them (the last line for an id wins; only the very last may be torn).
 */
export function requestsOnDisk(dataDir: string): StoredRequest[] {
  const dir = path.join(dataDir, 'requests')
  const byId = new Map<string, StoredRequest>()
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
    for (const r of Object.values((JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { requests: Record<string, StoredRequest> }).requests)) byId.set(r.id, r)
  }
  const lines = readFileSync(path.join(dir, 'journal.ndjson'), 'utf8').split('\n')
  lines.forEach((line, i) => {
    if (line === '') return
    try {
      const r = JSON.parse(line) as StoredRequest
      byId.set(r.id, r)
    } catch (e) {
      if (i !== lines.length - 1) throw e
    }
  })
  return [...byId.values()]
}

