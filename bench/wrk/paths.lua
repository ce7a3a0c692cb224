-- wrk: each request takes the next path from a file, round robin (a search per query, a page
-- per paper), so the load is spread over many URLs rather than one.
--   wrk -s bench/wrk/paths.lua http://HOST -- PATHS_FILE
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  -- Threads start at different places in the list (each thread has its own Lua state).
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
