-- GET /tasks/{id}: a random task of a random user, with that user's token.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args) seed_random() end

function request()
  local user = random_user()
  return wrk.format("GET", "/tasks/" .. user.tasks[math.random(#user.tasks)], { ["Authorization"] = user.auth })
end
