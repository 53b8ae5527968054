-- GET /notes/{id}: a random note of a random user, with that user's token.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args) seed_random() end

function request()
  local user = random_user()
  return wrk.format("GET", "/notes/" .. user.notes[math.random(#user.notes)], { ["Authorization"] = user.auth })
end
