<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ConsoleWindow</name>
    <message numerus="yes">
        <location filename="../../console/gui/window.py" line="+444"/>
        <source>Locked after %n minute(s) without activity; log in again.</source>
        <translation>
            <numerusform>Locked after %n minute without activity; log in again.</numerusform>
            <numerusform>Locked after %n minutes without activity; log in again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PrintTexts</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/cards.py" line="+399"/>
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
</TS>
