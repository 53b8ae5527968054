-- GET /workspaces/{id}/notes/{id}: a note of the 20-member team workspace, read by a
-- random member of it (the first 20 users), through the membership check.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args) seed_random() end

function request()
  local member = users[math.random(math.min(20, #users))]
  local path = "/workspaces/" .. team.id .. "/notes/" .. team.notes[math.random(#team.notes)]
  return wrk.format("GET", path, { ["Authorization"] = member.auth })
end
