-- GET /notes?q=<word>: a random word (or the start of one) of the notes' vocabulary,
-- searched in a random user's notes.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args) seed_random() end

function request()
  return wrk.format("GET", "/notes?q=" .. queries[math.random(#queries)], { ["Authorization"] = random_user().auth })
end
