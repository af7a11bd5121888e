<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AuditPage</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/audit.py" line="+292"/>
        <source>%n entry(ies) shown.</source>
        <translation>
            <numerusform>%n entry shown.</numerusform>
            <numerusform>%n entries shown.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n signature(s) do not verify: these entries were altered.</source>
        <translation>
            <numerusform>%n signature does not verify: this entry was altered.</numerusform>
            <numerusform>%n signatures do not verify: these entries were altered.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+69"/>
        <source>%n entry(ies) written to</source>
        <translation>
            <numerusform>%n entry written to</numerusform>
            <numerusform>%n entries written to</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message numerus="yes">
        <location filename="../../console/gui/window.py" line="+567"/>
        <source>Locked after %n minute(s) without activity; log in again.</source>
        <translation>
            <numerusform>Locked after %n minute without activity; log in again.</numerusform>
            <numerusform>Locked after %n minutes without activity; log in again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/importer.py" line="+264"/>
        <source>%n row(s) in the file</source>
        <translation>
            <numerusform>%n row in the file</numerusform>
            <numerusform>%n rows in the file</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n can be imported</source>
        <translation>
            <numerusform>%n can be imported</numerusform>
            <numerusform>%n can be imported</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n refused (listed below).</source>
        <translation>
            <numerusform>%n refused (listed below).</numerusform>
            <numerusform>%n refused (listed below).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+40"/>
        <source>%n registered</source>
        <translation>
            <numerusform>%n registered</numerusform>
            <numerusform>%n registered</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n held as possible duplicates for a supervisor</source>
        <translation>
            <numerusform>%n held as a possible duplicate for a supervisor</numerusform>
            <numerusform>%n held as possible duplicates for a supervisor</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n refused.</source>
        <translation>
            <numerusform>%n refused.</numerusform>
            <numerusform>%n refused.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KeysPage</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/keys.py" line="+112"/>
        <source>The current key has signed %n credential(s); they stay valid until they expire. New credentials will be signed with a new key. Replace the key now?</source>
        <translation>
            <numerusform>The current key has signed %n credential; it stays valid until it expires. New credentials will be signed with a new key. Replace the key now?</numerusform>
            <numerusform>The current key has signed %n credentials; they stay valid until they expire. New credentials will be signed with a new key. Replace the key now?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PrintTexts</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/cards.py" line="+405"/>
        <source>%n page(s) printed at true size</source>
        <translation>
            <numerusform>%n page printed at true size</numerusform>
            <numerusform>%n pages printed at true size</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>(%n card(s)).</source>
        <translation>
            <numerusform>(%n card).</numerusform>
            <numerusform>(%n cards).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PrintingPage</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/printing.py" line="+139"/>
        <source>%n card(s) to print.</source>
        <translation>
            <numerusform>%n card to print.</numerusform>
            <numerusform>%n cards to print.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RegistryAtRestBox</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/atrest.py" line="+120"/>
        <source>%n citizen(s) moved into personal.db.</source>
        <translation>
            <numerusform>%n citizen moved into personal.db.</numerusform>
            <numerusform>%n citizens moved into personal.db.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SecretDialog</name>
    <message numerus="yes">
        <location filename="../../console/gui/secretdialog.py" line="+54"/>
        <source>At least %n character(s).</source>
        <translation>
            <numerusform>At least %n character.</numerusform>
            <numerusform>At least %n characters.</numerusform>
        </translation>
    </message>
</context>
</TS>
