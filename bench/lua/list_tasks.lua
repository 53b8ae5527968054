-- GET /tasks?status=pending&sort=-due_at&limit=20: a page of 20 of a random user's
-- 500 tasks, filtered and sorted.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args) seed_random() end

function request()
  return wrk.format("GET", "/tasks?status=pending&sort=-due_at&limit=20", { ["Authorization"] = random_user().auth })
end
