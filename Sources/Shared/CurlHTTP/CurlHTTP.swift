// The CurlHTTP module. See ../shared/DESIGN.md for what it holds.
