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
endforeach()
