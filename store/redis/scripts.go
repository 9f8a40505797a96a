package redis

import goredis "github.com/redis/go-redis/v9"

// Every write is one Lua script: Redis runs a script alone, so it is
// atomic, and a script that returns an error before its first write leaves
// nothing behind. The scripts check everything that can refuse a call
// (missing conversation, wrong owner, duplicate id) before they write.
//
// Arguments shared by all scripts (see Store.args):
//
//	KEYS[1] conv:<id>  KEYS[2] msgs:<id>  KEYS[3] live:<id>
//	ARGV[1] prefix  ARGV[2] conversation id  ARGV[3] now (Unix ms)
//	ARGV[4] the list member for now  ARGV[5] TTL (ms, 0: none)
//	ARGV[6] ZREMRANGEBYLEX bound of the expired list entries ("": none)
//
// The owner's list key is computed from the conversation's owner inside
// the scripts (it is not known to the caller of Append): the store runs on
// one Redis, not on Redis Cluster.
const prelude = `
local P, C, NOW, NM, TTL, TRIM = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), ARGV[6]
local CK, MK, LK = KEYS[1], KEYS[2], KEYS[3]
local function ms(n) return string.format('%d', n) end
local function textkey(seq) return P .. 'text:' .. seq .. ':' .. C end
local function userkey(owner) return P .. 'user:' .. owner end
local FK = P .. 'files:' .. C

-- expire makes every key of the conversation expire TTL after updated, and
-- the owner's list no sooner than that; it drops the list's expired
-- entries. A list that existed without a TTL keeps none.
local function expire(uk, existed, updated)
  if TTL <= 0 then return end
  local at = updated + TTL
  local s = ms(at)
  redis.call('PEXPIREAT', CK, s)
  redis.call('PEXPIREAT', MK, s)
  redis.call('PEXPIREAT', LK, s)
  redis.call('PEXPIREAT', FK, s)
  for _, seq in ipairs(redis.call('SMEMBERS', LK)) do
    redis.call('PEXPIREAT', textkey(seq), s)
  end
  local pt = redis.call('PTTL', uk)
  if not existed or (pt >= 0 and NOW + pt < at) then
    redis.call('PEXPIREAT', uk, s)
  end
  if TRIM ~= '' then
    redis.call('ZREMRANGEBYLEX', uk, TRIM, '+')
  end
end

-- touch brings the conversation to the front of its owner's list: Updated
-- becomes now, never earlier than it was.
local function touch(owner, updated, lm)
  local uk = userkey(owner)
  local u = tonumber(updated)
  local moved = u == nil or NOW > u
  if moved then
    u = NOW
    redis.call('HSET', CK, 'updated', ms(NOW), 'lm', NM)
    -- Removing the only entry removes the key, and its TTL with it.
    if lm then redis.call('ZREM', uk, lm) end
  end
  local existed = redis.call('EXISTS', uk) == 1
  if moved then redis.call('ZADD', uk, 0, NM) end
  expire(uk, existed, u)
end

-- header returns the conversation's owner, updated and list member, or
-- raises NOTFOUND.
local function header()
  local h = redis.call('HMGET', CK, 'owner', 'updated', 'lm')
  if not h[1] then
    error({err = 'NOTFOUND conversation'})
  end
  return h
end

-- seqOf returns message id's number, or raises NOTFOUND.
local function seqOf(id)
  local seq = redis.call('HGET', MK, 'i:' .. id)
  if not seq then
    error({err = 'NOTFOUND message'})
  end
  return seq
end
`

func script(body string) *goredis.Script { return goredis.NewScript(prelude + body) }

// create: ARGV[7] owner, [8] title, [9] created, [10] updated, [11] the
// list member for updated. Leftovers of a conversation of the same id that
// expired (a key that outlived the header) are removed first.
var createScript = script(`
if redis.call('EXISTS', CK) == 1 then
  return redis.error_reply('EXISTS conversation')
end
for _, seq in ipairs(redis.call('SMEMBERS', LK)) do
  redis.call('DEL', textkey(seq))
end
redis.call('DEL', MK, LK, FK)
local owner = ARGV[7]
redis.call('HSET', CK, 'owner', owner, 'title', ARGV[8], 'created', ARGV[9], 'updated', ARGV[10], 'seq', '0', 'lm', ARGV[11])
local uk = userkey(owner)
local existed = redis.call('EXISTS', uk) == 1
redis.call('ZADD', uk, 0, ARGV[11])
expire(uk, existed, tonumber(ARGV[10]))
return 1
`)

// rename: ARGV[7] owner, [8] title.
var renameScript = script(`
local h = header()
if h[1] ~= ARGV[7] then
  return redis.error_reply('NOTFOUND conversation')
end
redis.call('HSET', CK, 'title', ARGV[8])
touch(h[1], h[2], h[3])
return 1
`)

// delete: ARGV[7] owner.
var deleteScript = script(`
local h = header()
if h[1] ~= ARGV[7] then
  return redis.error_reply('NOTFOUND conversation')
end
for _, seq in ipairs(redis.call('SMEMBERS', LK)) do
  redis.call('DEL', textkey(seq))
end
redis.call('DEL', CK, MK, LK, FK)
if h[3] then
  redis.call('ZREM', userkey(h[1]), h[3])
end
return 1
`)

// append: ARGV[7] message id, [8] its header, [9] its content.
var appendScript = script(`
local h = header()
local id = ARGV[7]
if redis.call('HEXISTS', MK, 'i:' .. id) == 1 then
  return redis.error_reply('EXISTS message')
end
local seq = tostring(redis.call('HINCRBY', CK, 'seq', 1))
redis.call('HSET', MK, 'i:' .. id, seq, 'h:' .. seq, ARGV[8], 't:' .. seq, ARGV[9])
touch(h[1], h[2], h[3])
return 1
`)

// appendText: ARGV[7] message id, [8] the text. The first call moves the
// message's content from its field in msgs to a string key of its own;
// later ones APPEND to it. Returns the bytes written.
var appendTextScript = script(`
local h = header()
local seq = seqOf(ARGV[7])
local text = ARGV[8]
local tk = textkey(seq)
local written = #text
if redis.call('SISMEMBER', LK, seq) == 1 then
  redis.call('APPEND', tk, text)
else
  local cur = redis.call('HGET', MK, 't:' .. seq) or ''
  redis.call('SET', tk, cur .. text)
  redis.call('HDEL', MK, 't:' .. seq)
  redis.call('SADD', LK, seq)
  written = written + #cur
end
touch(h[1], h[2], h[3])
return written
`)

// update: ARGV[7] message id, [8] its header without Created, [9] its
// content, [10] Created for a message whose header is gone. The message's
// text goes back into msgs and its string key, if any, is removed.
var updateScript = script(`
local h = header()
local seq = seqOf(ARGV[7])
local old = redis.call('HGET', MK, 'h:' .. seq)
local created = ARGV[10]
if old and #old >= 8 then created = string.sub(old, 1, 8) end
redis.call('HSET', MK, 'h:' .. seq, created .. ARGV[8], 't:' .. seq, ARGV[9])
if redis.call('SREM', LK, seq) == 1 then
  redis.call('DEL', textkey(seq))
end
touch(h[1], h[2], h[3])
return 1
`)

// deleteMessages: ARGV[7…] the ids of the messages to remove (unknown
// ones are skipped), with their live text keys.
var deleteMessagesScript = script(`
local h = header()
for i = 7, #ARGV do
  local id = ARGV[i]
  local seq = redis.call('HGET', MK, 'i:' .. id)
  if seq then
    redis.call('HDEL', MK, 'i:' .. id, 'h:' .. seq, 't:' .. seq)
    if redis.call('SREM', LK, seq) == 1 then
      redis.call('DEL', textkey(seq))
    end
  end
end
touch(h[1], h[2], h[3])
return 1
`)

// liveTexts: KEYS[1] live:<id>; ARGV[1] prefix, [2] conversation id.
// Returns {the live message numbers, their texts (false where unreadable)}.
// Get runs it in a transaction beside HGETALL, so that the bulk of a
// conversation goes straight to the client instead of through Lua.
const liveTexts = `
local P, C = ARGV[1], ARGV[2]
local live = redis.call('SMEMBERS', KEYS[1])
local texts = {}
for i, seq in ipairs(live) do
  local v = redis.pcall('GET', P .. 'text:' .. seq .. ':' .. C)
  if type(v) ~= 'string' then v = false end
  texts[i] = v
end
return {live, texts}
`

// list: KEYS[1] the owner's list; ARGV[1] prefix, [2] owner, [3] the
// ZRANGEBYLEX start, [4] how many. Returns {member, header} pairs; header is
// owner, title, created, updated, or 0 for an entry whose conversation is
// gone or moved (removed from the list here), or 1 for a conversation that
// cannot be read.
var listScript = goredis.NewScript(`
local P, owner = ARGV[1], ARGV[2]
local ms = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[3], '+', 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, m in ipairs(ms) do
  local h = redis.pcall('HMGET', P .. 'conv:' .. string.sub(m, 9), 'owner', 'title', 'created', 'updated', 'lm')
  local v
  if h.err then
    v = 1
  elseif h[1] ~= owner or h[5] ~= m then
    redis.call('ZREM', KEYS[1], m)
    v = 0
  else
    v = {h[1], h[2], h[3], h[4]}
  end
  out[#out + 1] = m
  out[#out + 1] = v
end
return out
`)

// putFile: ARGV[7] the file's key, [8] its bytes. The files hash expires
// with the conversation (the next append moves both).
var deleteFilesScript = script(`
header()
for i = 7, #ARGV do
  redis.call('HDEL', FK, ARGV[i])
end
return 1
`)

var putFileScript = script(`
local h = header()
redis.call('HSET', FK, ARGV[7], ARGV[8])
if TTL > 0 then
  redis.call('PEXPIREAT', FK, ms(tonumber(h[2]) + TTL))
end
return 1
`)
