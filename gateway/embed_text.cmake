# Writes INPUT into OUTPUT as `std::string_view uudai::gateway::${NAME}` (a text file compiled
# into the binary: the OpenAPI description, the Redis store's Lua script). INPUT may name several
# files separated by "|": their texts are joined, in that order, into one.
string(REPLACE "|" ";" INPUT_FILES "${INPUT}")
set(CONTENT "")
foreach(input_file IN LISTS INPUT_FILES)
  file(READ "${input_file}" part)
  string(APPEND CONTENT "${part}")
endforeach()
string(FIND "${CONTENT}" ")uudai_embed\"" FOUND)
if(NOT FOUND EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}" "#include <string_view>\nnamespace uudai::gateway {\nextern const std::string_view ${NAME};\nconst std::string_view ${NAME} = R\"uudai_embed(${CONTENT})uudai_embed\";\n}  // namespace uudai::gateway\n")
