include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CHIME_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/chime_cpp)

install(TARGETS chime
    EXPORT chime_cppTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT chime_cppTargets
    NAMESPACE chime::
    DESTINATION ${CHIME_CMAKE_DIR})

configure_package_config_file(cmake/chime_cppConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/chime_cppConfig.cmake
    INSTALL_DESTINATION ${CHIME_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/chime_cppConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES
    ${CMAKE_CURRENT_BINARY_DIR}/chime_cppConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/chime_cppConfigVersion.cmake
    DESTINATION ${CHIME_CMAKE_DIR})
