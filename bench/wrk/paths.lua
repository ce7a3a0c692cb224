-- wrk: each request takes the next path from a file, round robin (a search per query, a page
-- per paper), so no single URL is served from a warm cache alone.
--   wrk -s bench/wrk/paths.lua http://HOST -- PATHS_FILE
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  -- Threads start at different places in the list.
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
