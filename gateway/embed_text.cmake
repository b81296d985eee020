# Writes INPUT into OUTPUT as `std::string_view uudai::gateway::kOpenApiYaml`.
file(READ "${INPUT}" CONTENT)
string(FIND "${CONTENT}" ")uudai_embed\"" FOUND)
if(NOT FOUND EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}" "#include <string_view>\nnamespace uudai::gateway {\nextern const std::string_view kOpenApiYaml;\nconst std::string_view kOpenApiYaml = R\"uudai_embed(${CONTENT})uudai_embed\";\n}  // namespace uudai::gateway\n")
