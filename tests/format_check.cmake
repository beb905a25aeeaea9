# Fails when any C++ source in the repository is not clang-formatted.
file(GLOB_RECURSE files
  ${SOURCE_DIR}/core/*.h ${SOURCE_DIR}/core/*.cpp ${SOURCE_DIR}/config/*.h ${SOURCE_DIR}/config/*.cpp
  ${SOURCE_DIR}/jira/*.h ${SOURCE_DIR}/jira/*.cpp ${SOURCE_DIR}/renderer/*.h ${SOURCE_DIR}/renderer/*.cpp
  ${SOURCE_DIR}/hooks/*.h ${SOURCE_DIR}/hooks/*.cpp ${SOURCE_DIR}/cli/*.h ${SOURCE_DIR}/cli/*.cpp
  ${SOURCE_DIR}/issues/*.h ${SOURCE_DIR}/issues/*.cpp ${SOURCE_DIR}/serve/*.h ${SOURCE_DIR}/serve/*.cpp
  ${SOURCE_DIR}/os/*.h ${SOURCE_DIR}/os/*.cpp ${SOURCE_DIR}/state/*.h ${SOURCE_DIR}/state/*.cpp
  ${SOURCE_DIR}/outbox/*.h ${SOURCE_DIR}/outbox/*.cpp ${SOURCE_DIR}/delivery/*.h ${SOURCE_DIR}/delivery/*.cpp
  ${SOURCE_DIR}/bench/*.h ${SOURCE_DIR}/bench/*.cpp ${SOURCE_DIR}/tests/*.h ${SOURCE_DIR}/tests/*.cpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${files}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format would change these files (run clang-format -i):\n${err}")
endif()
