# Writes INPUT into OUTPUT as `std::string_view uudai::gateway::${NAME}` (a text file compiled
# into the binary: the OpenAPI description, the Redis store's Lua script).
file(READ "${INPUT}" CONTENT)
string(FIND "${CONTENT}" ")uudai_embed\"" FOUND)
if(NOT FOUND EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}" "#include <string_view>\nnamespace uudai::gateway {\nextern const std::string_view ${NAME};\nconst std::string_view ${NAME} = R\"uudai_embed(${CONTENT})uudai_embed\";\n}  // namespace uudai::gateway\n")
