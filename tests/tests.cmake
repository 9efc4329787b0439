# Unit tests: one cmocka program per tests/unit/test_<module>.c.
if(NOT CMOCKA_FOUND)
  message(FATAL_ERROR "cmocka not found: run scripts/setup")
endif()
file(GLOB VT_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${VT_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE vantage_core PkgConfig::CMOCKA)
  add_test(NAME unit/${name} COMMAND ${name})
  set_tests_properties(unit/${name} PROPERTIES
    ENVIRONMENT "VT_SRCDIR=${CMAKE_SOURCE_DIR}")
endforeach()

# Script tests: tests/<kind>/*.test.sh, each run with the binary and paths.
file(GLOB VT_SCRIPT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*/*.test.sh)
foreach(script ${VT_SCRIPT_TESTS})
  get_filename_component(dir ${script} DIRECTORY)
  get_filename_component(kind ${dir} NAME)
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME ${kind}/${name} COMMAND sh ${script})
  set_tests_properties(${kind}/${name} PROPERTIES
    ENVIRONMENT "VANTAGE=$<TARGET_FILE:vantage>;VT_SRCDIR=${CMAKE_SOURCE_DIR};VT_BUILDDIR=${CMAKE_BINARY_DIR};VT_DATASETS=${CMAKE_SOURCE_DIR}/../shared/datasets"
    SKIP_RETURN_CODE 77
    TIMEOUT 600)
  # Tests that bring up the lab (they run lab/up) share its fixed namespace
  # names and addresses: never run two of them at once (ctest -j).
  file(READ ${script} VT_SCRIPT_BODY)
  string(FIND "${VT_SCRIPT_BODY}" "lab/up" VT_USES_LAB)
  if(NOT VT_USES_LAB EQUAL -1)
    set_tests_properties(${kind}/${name} PROPERTIES RESOURCE_LOCK vantage_lab)
  endif()
endforeach()
