-- The ceiling: one fixed request, sent through wrk's static path (no request() here).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
