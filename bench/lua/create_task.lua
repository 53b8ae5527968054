-- POST /tasks: a new task (title, description, due date) for a random user; it goes
-- last in that user's order.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local created = 0

function init(args) seed_random() end

function request()
  created = created + 1
  local body = string.format(
    '{"title":"Benchmark task %d-%d","description":"Created under load.","due_at":"2027-0%d-1%dT09:30:00Z"}',
    thread_index, created, 1 + created % 9, created % 10
  )
  return wrk.format("POST", "/tasks", json_headers(random_user().auth), body)
end
