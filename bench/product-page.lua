-- wrk script: GET /api/v1/products/{id} over the ids in the file given after `--`.
local ids = {}

function init(args)
  for line in io.lines(args[1]) do
    ids[#ids + 1] = line
  end
  math.randomseed(os.time() + math.random(1000))
end

function request()
  return wrk.format("GET", "/api/v1/products/" .. ids[math.random(#ids)])
end
