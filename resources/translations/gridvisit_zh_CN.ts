<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>MainWindow</name>
    <message>
        <source>gridvisit — household visits</source>
        <translation>网格走访 — 入户走访管理</translation>
    </message>
    <message>
        <source>Household visits and problem list</source>
        <translation>入户走访与问题清单</translation>
    </message>
    <message>
        <source>{communities} communities, {grids} grids, {groups} building groups, {households} households</source>
        <translation>社区 {communities} 个,网格 {grids} 个,楼栋党小组 {groups} 个,住户 {households} 户</translation>
    </message>
    <message>
        <source>Database: {path}</source>
        <translation>数据库:{path}</translation>
    </message>
    <message>
        <source>Signed in as {user}</source>
        <translation>当前用户:{user}</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Cannot open the database</source>
        <translation>无法打开数据库</translation>
    </message>
</context>
</TS>