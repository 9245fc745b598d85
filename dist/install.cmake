# dist/install.cmake: the part of `cmake --install` that writes files made
# for the prefix being installed to (install(SCRIPT) in CMakeLists.txt, so
# `cmake --install BUILD --prefix DIR` and DESTDIR both work):
#
# - SYSCONF/pathway/pathway.conf: conf/pathway.conf with its relative paths
#   made absolute: programmes, cohorts and templates beside it, the store,
#   keys and backups under PW_STATE, the ipc sockets under PW_RUN. An
#   existing pathway.conf is kept and the new one goes beside it as
#   pathway.conf.new.
# - the systemd units of dist/systemd/ with @BINDIR@, @CONFDIR@, @STATEDIR@
#   and @DOCDIR@ replaced, and the sysusers.d file for the user pathway.
#
# Set before it runs: PW_SRC, PW_GEN (a scratch directory), PW_STATE, PW_RUN,
# and PW_BINDIR, PW_SYSCONFDIR, PW_DOCDIR, PW_UNITDIR, PW_SYSUSERSDIR
# (relative to the prefix, or absolute).

function(pw_abs out dir)
	if(IS_ABSOLUTE "${dir}")
		set(${out} "${dir}" PARENT_SCOPE)
	else()
		set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
	endif()
endfunction()

pw_abs(BINDIR "${PW_BINDIR}")
pw_abs(sysconf "${PW_SYSCONFDIR}")
set(CONFDIR "${sysconf}/pathway")
pw_abs(DOCDIR "${PW_DOCDIR}")
pw_abs(unitdir "${PW_UNITDIR}")
pw_abs(sysusersdir "${PW_SYSUSERSDIR}")
set(STATEDIR "${PW_STATE}")

# pathway.conf for the installed layout.
file(READ "${PW_SRC}/conf/pathway.conf" text)
function(pw_replace from to)
	string(FIND "${text}" "${from}" at)
	if(at EQUAL -1)
		message(FATAL_ERROR "conf/pathway.conf: no ${from} to make absolute")
	endif()
	string(REPLACE "${from}" "${to}" text "${text}")
	set(text "${text}" PARENT_SCOPE)
endfunction()
pw_replace("ipc://var/run/" "ipc://${PW_RUN}/")
pw_replace("\"conf/" "\"${CONFDIR}/")
pw_replace("\"var/keys/" "\"${PW_STATE}/keys/")
pw_replace("db = \"var/db\";" "db = \"${PW_STATE}/db\";
	backup_dir = \"${PW_STATE}/backup\";
	curve_key = \"${PW_STATE}/keys/pathwayd.key\";
	operator_key = \"${PW_STATE}/keys/operator.key\";")
string(REGEX MATCH "= \"(conf|var)/[^\"]*\"" left "${text}")
if(left)
	message(FATAL_ERROR "conf/pathway.conf: a relative path is left: ${left}")
endif()
set(text "# Installed by cmake --install from conf/pathway.conf, paths made absolute.\n${text}")
file(MAKE_DIRECTORY "${PW_GEN}")
file(WRITE "${PW_GEN}/pathway.conf" "${text}")
if(EXISTS "$ENV{DESTDIR}${CONFDIR}/pathway.conf")
	file(RENAME "${PW_GEN}/pathway.conf" "${PW_GEN}/pathway.conf.new")
	message(STATUS "Keeping ${CONFDIR}/pathway.conf: the new one is pathway.conf.new")
	file(INSTALL "${PW_GEN}/pathway.conf.new" DESTINATION "${CONFDIR}")
else()
	file(INSTALL "${PW_GEN}/pathway.conf" DESTINATION "${CONFDIR}")
endif()

# The systemd units and the user they run as.
file(GLOB units "${PW_SRC}/dist/systemd/*.service")
foreach(unit ${units})
	get_filename_component(name "${unit}" NAME)
	file(READ "${unit}" text)
	string(CONFIGURE "${text}" text @ONLY)
	file(WRITE "${PW_GEN}/${name}" "${text}")
	file(INSTALL "${PW_GEN}/${name}" DESTINATION "${unitdir}")
endforeach()
file(MAKE_DIRECTORY "${PW_GEN}/sysusers")
file(READ "${PW_SRC}/dist/systemd/pathway.sysusers" text)
file(WRITE "${PW_GEN}/sysusers/pathway.conf" "${text}")
file(INSTALL "${PW_GEN}/sysusers/pathway.conf" DESTINATION "${sysusersdir}")
