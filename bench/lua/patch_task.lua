-- PATCH /tasks/{id} with If-Match: the task's real current version, tracked from the
-- ETag of each response (see patch_pool in common.lua). A 412 or any other failure
-- makes the script re-read that task before patching it again; they all count.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local pool

function init(args)
  seed_random()
  pool = patch_pool()
end

function request()
  return patch_request(pool, "p")
end

function response(status, headers, body)
  local request_id = request_id_of(headers)
  count_status(request_id:sub(1, 1) .. ":" .. status)
  patch_response(pool, status, headers, request_id)
end
