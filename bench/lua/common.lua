-- Shared by every scenario script. bench/seed.py writes the data file (BENCH_DATA):
--   U <access token> <note ids, comma-separated> <task ids, comma-separated>
--   Q <search query, already URL-encoded>
--   T <team workspace id> <its note ids, comma-separated> (its members: the first 20 users)
--   C <access token> <search queries, URL-encoded, comma-separated>: the crowded search,
--     one user's queries whose words ten times as many notes of other users also hold
-- and passes BENCH_THREADS (wrk's -t), BENCH_SLOT_FROM/BENCH_SLOT_TO (which task
-- slots of each user this run may PATCH, so that runs never share a version history).

users = {}
queries = {}
team = { id = nil, notes = {} }
crowded = { auth = nil, queries = {} }

local data_path = assert(os.getenv("BENCH_DATA"), "BENCH_DATA is not set")
for line in io.lines(data_path) do
  local kind, rest = line:sub(1, 1), line:sub(3)
  if kind == "U" then
    local token, notes, tasks = rest:match("^(%S+) (%S+) (%S+)$")
    local user = { auth = "Bearer " .. token, notes = {}, tasks = {} }
    for id in notes:gmatch("[^,]+") do user.notes[#user.notes + 1] = id end
    for id in tasks:gmatch("[^,]+") do user.tasks[#user.tasks + 1] = id end
    users[#users + 1] = user
  elseif kind == "Q" then
    queries[#queries + 1] = rest
  elseif kind == "T" then
    local id, notes = rest:match("^(%S+) (%S+)$")
    team.id = id
    for note in notes:gmatch("[^,]+") do team.notes[#team.notes + 1] = note end
  elseif kind == "C" then
    local token, crowded_queries = rest:match("^(%S+) (%S+)$")
    crowded.auth = "Bearer " .. token
    for query in crowded_queries:gmatch("[^,]+") do crowded.queries[#crowded.queries + 1] = query end
  end
end
assert(#users > 0, "no users in " .. data_path)

thread_total = tonumber(os.getenv("BENCH_THREADS") or "1")
slot_from = tonumber(os.getenv("BENCH_SLOT_FROM") or "1")
slot_to = tonumber(os.getenv("BENCH_SLOT_TO") or "1")

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

function seed_random()
  math.randomseed(os.time() * 7919 + (thread_index or 0) * 104729)
  for _ = 1, 10 do math.random() end
end

function random_user()
  return users[math.random(#users)]
end

json_headers = function(auth)
  return { ["Authorization"] = auth, ["Content-Type"] = "application/json" }
end

-- PATCH with If-Match: this thread's share of the tasks (users split between threads,
-- so no two threads ever hold a version of the same task), walked round-robin so the
-- same task comes back only after the whole pool has been visited, and the version
-- each one is at, learnt from the ETag of every response.
function patch_pool()
  local pool = {}
  for slot = slot_from, slot_to do
    for index = 1 + thread_index, #users, thread_total do
      local user = users[index]
      if user.tasks[slot] then
        pool[#pool + 1] = { auth = user.auth, id = user.tasks[slot], version = 1 }
      end
    end
  end
  assert(#pool > 0, "no tasks for PATCH in slots " .. slot_from .. "-" .. slot_to)
  return pool
end

local patch_cursor = nil
function patch_request(pool, tag)
  if patch_cursor == nil then patch_cursor = math.random(#pool) end
  patch_cursor = patch_cursor % #pool + 1
  local item = pool[patch_cursor]
  local headers = json_headers(item.auth)
  if item.version == nil then
    -- Its version is unknown (a 412 or an error answered): read it again.
    headers["X-Request-ID"] = "g" .. patch_cursor
    return wrk.format("GET", "/tasks/" .. item.id, headers)
  end
  headers["If-Match"] = '"' .. item.version .. '"'
  headers["X-Request-ID"] = tag .. patch_cursor
  -- Every PATCH changes the task: the title names the version it makes, and
  -- `completed` flips.
  local body = string.format(
    '{"title":"Edited by the benchmark (v%d)","completed":%s}',
    item.version + 1,
    (item.version % 2 == 1) and "true" or "false"
  )
  return wrk.format("PATCH", "/tasks/" .. item.id, headers, body)
end

-- Learns the version from a PATCH (or re-read) response; any other answer makes it
-- unknown, so the next visit re-reads it.
function patch_response(pool, status, headers, request_id)
  local index = tonumber(request_id:sub(2))
  local item = index and pool[index]
  if not item then return end
  local etag = headers["etag"] or headers["ETag"]
  if status == 200 and etag then
    item.version = tonumber(etag:match('"(%d+)"'))
  else
    item.version = nil
  end
end
