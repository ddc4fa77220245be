-- wrk script: GET /api/v1/products/search with the query strings in the file given after `--`.
local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = "/api/v1/products/search?" .. line
  end
  math.randomseed(os.time() + math.random(1000))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
