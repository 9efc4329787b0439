# One fuzz target per input surface: fuzz/fuzz_<surface>.c defines
# LLVMFuzzerTestOneInput. With VT_FUZZ (clang) each becomes a libFuzzer
# binary; always, each is linked with the replay driver (fuzz/onefile.c)
# and its corpus fuzz/corpus/<surface>/ runs as an ordinary CTest test.
file(GLOB VT_FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src ${VT_FUZZ_TARGETS})
  get_filename_component(name ${src} NAME_WE)
  string(REPLACE "fuzz_" "" surface ${name})
  add_executable(replay_${surface} ${src} ${CMAKE_SOURCE_DIR}/fuzz/onefile.c)
  target_link_libraries(replay_${surface} PRIVATE vantage_core)
  target_include_directories(replay_${surface} PRIVATE ${CMAKE_SOURCE_DIR}/fuzz)
  add_test(NAME fuzz-replay/${surface}
    COMMAND replay_${surface} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${surface})
  if(VT_FUZZ)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE vantage_core)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/fuzz)
  endif()
endforeach()
