-- GET /notes?q=<word>: the crowded search. One user searches their own notes for a
-- word (or the start of one) that ten times as many notes in other users' workspaces
-- also hold, so that an index not scoped to the workspace would have to rank those
-- too; compared with search.lua, whose words are no more common elsewhere than here.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args) seed_random() end

function request()
  local query = crowded.queries[math.random(#crowded.queries)]
  return wrk.format("GET", "/notes?q=" .. query, { ["Authorization"] = crowded.auth })
end
